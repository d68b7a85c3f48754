import { requireFloat } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { normalizeAxis } from '../shape.js';
import type { Value } from '../value.js';
import { mul, sub } from './elementwise.js';
import { reduceSum } from './reduce.js';

/** dx = y (dy - sum(dy y)) along the axis. */
export const SoftmaxOp = defineOp({
  type: 'Softmax',
  gradient: ({ node, outputs: [y], gradOutputs: [dy] }) => {
    const axis = node.attributes.axis as number;
    return [mul(y, sub(dy!, reduceSum(mul(dy!, y), [axis], true)))];
  },
});

/** Softmax along one axis (ONNX opset 13+: the axis alone, not the flattened trailing axes). */
export function softmax(x: Value, axis = -1): Value {
  requireFloat('Softmax', x);
  const normalized = normalizeAxis(axis, x.rank, 'Softmax');
  return x.graph.addNode(SoftmaxOp, [x], { axis: normalized }, [{ dtype: 'float32', shape: x.shape }])[0];
}
