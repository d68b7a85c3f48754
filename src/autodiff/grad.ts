import type { Node } from '../graph/node.js';
import { formatShape } from '../graph/shape.js';
import type { Value } from '../graph/value.js';
import { add } from '../graph/ops/elementwise.js';
import { expandLike } from '../graph/ops/shape.js';

/**
 * Reverse-mode differentiation over the graph: the gradient of `output` (a scalar, or seeded with
 * `seed` of its shape) with respect to each of `wrt`, as new values in the same graph.
 *
 * Nodes are visited in reverse execution order; each node's rule (beside its op in `graph/ops/`)
 * turns the gradients of its outputs into gradients of its inputs, and contributions to one value
 * are summed. Rules are written with ops that have rules, so the result can be differentiated again
 * (WGAN-GP's gradient penalty differentiates a gradient). An input that `output` does not depend on
 * gets `undefined`. A node on the path whose op has no rule is an error naming the op.
 */
export function grad(output: Value, wrt: readonly Value[], seed?: Value): (Value | undefined)[] {
  const graph = output.graph;
  if (!seed && output.shape.some((d) => d !== 1)) {
    throw new RangeError(`grad: the output must be a scalar (or pass a seed), got ${formatShape(output.shape)}`);
  }

  // Values that depend on some `wrt` (forward pass over the node list, which is in execution order).
  const dependsOnWrt = new Set<Value>(wrt);
  for (const node of graph.nodes) {
    if (node.op.constantOutput) continue;
    if (node.inputs.some((v) => v && dependsOnWrt.has(v))) for (const out of node.outputs) dependsOnWrt.add(out);
  }
  if (!dependsOnWrt.has(output)) return wrt.map(() => undefined);

  // Nodes that lie on a path from `wrt` to `output`.
  const onPath = new Set<Node>();
  const reaches = new Set<Value>([output]);
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (!node.outputs.some((v) => reaches.has(v))) continue;
    if (!node.inputs.some((v) => v && dependsOnWrt.has(v))) continue;
    onPath.add(node);
    for (const input of node.inputs) if (input && dependsOnWrt.has(input)) reaches.add(input);
  }

  const gradients = new Map<Value, Value>();
  const accumulate = (value: Value, gradient: Value) => {
    const existing = gradients.get(value);
    gradients.set(value, existing ? add(existing, gradient) : gradient);
  };
  accumulate(output, seed ?? (output.rank === 0 ? graph.scalar(1) : expandLike(graph.scalar(1), output)));

  const nodes = graph.nodes.filter((node) => onPath.has(node)).reverse();
  for (const node of nodes) {
    const gradOutputs = node.outputs.map((v) => gradients.get(v));
    if (gradOutputs.every((g) => g === undefined)) continue;
    if (node.op.constantOutput) continue;
    if (!node.op.gradient) {
      throw new Error(`grad: op '${node.op.type}' has no gradient rule (it produces ${node.outputs.map((v) => v.toString()).join(', ')})`);
    }
    const needsGrad = node.inputs.map((v) => v !== undefined && dependsOnWrt.has(v) && reaches.has(v));
    const inputGradients = node.op.gradient({ node, inputs: node.inputs, outputs: node.outputs, gradOutputs, needsGrad });
    node.inputs.forEach((input, i) => {
      const g = inputGradients[i];
      if (input && needsGrad[i] && g) accumulate(input, g);
    });
  }
  return wrt.map((v) => gradients.get(v));
}
