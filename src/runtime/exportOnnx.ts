import type { Dim } from '../graph/shape.js';
import { Graph } from '../graph/graph.js';
import { serializeModel } from '../graph/onnx/serializeModel.js';
import type { Value } from '../graph/value.js';
import { writeBufferAtomic } from '../io/atomicWrite.js';
import { BuildContext, type StateDict } from '../nn/buildContext.js';

export interface ExportOptions {
  channels?: number;
  /** Batch, height and width: names of symbolic dims (default batch, height, width) or sizes, for networks built for one size. */
  dims?: [Dim, Dim, Dim];
  /** Create tensors `state` lacks with the training initialiser (default false: a missing tensor is an error). */
  initialiseMissing?: boolean;
}

/**
 * A standalone ONNX model of a network's forward pass (evaluation mode): input 'input'
 * [batch, C, height, width] with symbolic batch and spatial sizes, weights as initializers, output
 * 'output'. Plain onnxruntime (or any ONNX tool) can run it.
 */
export function exportForwardModel(build: (ctx: BuildContext, x: Value) => Value, state: StateDict, options: ExportOptions = {}): Uint8Array {
  const graph = new Graph();
  const ctx = BuildContext.create(graph, state, { training: false, initialise: options.initialiseMissing ?? false });
  const [batch, height, width] = options.dims ?? ['batch', 'height', 'width'];
  const input = graph.input('input', 'float32', [batch, options.channels ?? 3, height, width]);
  const output = build(ctx, input);
  return serializeModel(graph, { inputs: [input], outputs: [{ name: 'output', value: output }], graphName: 'enhance_model' });
}

export async function writeForwardModel(path: string, build: (ctx: BuildContext, x: Value) => Value, state: StateDict, options: ExportOptions = {}): Promise<void> {
  await writeBufferAtomic(path, exportForwardModel(build, state, options));
}
