import { Graph } from '../graph/graph.js';
import { BuildContext, MissingWeight, WeightShapeMismatch, type StateDict } from '../nn/buildContext.js';
import { buildNetwork, probeInputDims, traitsOf, type ModelSpec } from '../architectures/registry.js';

/** How a state dict fails to be exactly the weights a network needs. */
export type WeightsMisfit =
  | { kind: 'missing'; key: string }
  | { kind: 'shape'; key: string; stored: readonly number[]; needed: readonly number[] }
  | { kind: 'unused'; key: string; count: number };

/**
 * Build the network over `state` without inventing anything: the first tensor it needs that is
 * missing or of another shape, or the tensors it never asked for. Undefined when the weights fit
 * exactly. Weights from a file must fit, or a partly random (or partly ignored) network would run.
 */
export function weightsMisfit(spec: ModelSpec, state: StateDict): WeightsMisfit | undefined {
  const graph = new Graph();
  const ctx = BuildContext.create(graph, state, { training: false, initialise: false });
  try {
    buildNetwork(spec, ctx, graph.input('input', 'float32', [1, traitsOf(spec).channels ?? 3, ...probeInputDims(spec)]));
  } catch (error) {
    if (error instanceof MissingWeight) return { kind: 'missing', key: error.key };
    if (error instanceof WeightShapeMismatch) return { kind: 'shape', key: error.key, stored: error.stored, needed: error.needed };
    throw error;
  }
  const unused = [...state.keys()].filter((key) => !ctx.used.has(key));
  return unused.length > 0 ? { kind: 'unused', key: unused[0], count: unused.length } : undefined;
}

/** The misfit as the end of a sentence about the file, with the names as `fileKey` spells them. */
export function describeMisfit(misfit: WeightsMisfit, fileKey: (key: string) => string = (key) => key): string {
  switch (misfit.kind) {
    case 'missing':
      return `has no tensor '${fileKey(misfit.key)}' (the network needs it)`;
    case 'shape':
      return `'${fileKey(misfit.key)}' does not fit: the stored tensor is [${misfit.stored.join(', ')}], the network needs [${misfit.needed.join(', ')}]`;
    case 'unused':
      return `'${fileKey(misfit.key)}' has no place in the network${misfit.count > 1 ? ` (and ${misfit.count - 1} more tensors)` : ''}`;
  }
}
