import { requireFloat } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { normalizeAxis, type Dim } from '../shape.js';
import type { Value } from '../value.js';
import { div, mul } from './elementwise.js';
import { cast, expandLike, sizeOf, unsqueeze } from './shape.js';

function reducedShape(x: Value, axes: readonly number[], keepDims: boolean): Dim[] {
  return x.shape.flatMap((d, i) => (axes.includes(i) ? (keepDims ? [1] : []) : [d]));
}

/** The gradient of a reduction, spread back over the input's shape (before dividing, for a mean). */
function spread(dy: Value, x: Value, axes: readonly number[], keepDims: boolean): Value {
  const kept = keepDims ? dy : unsqueeze(dy, axes);
  return expandLike(kept, x);
}

function axesOf(x: Value, axes: readonly number[] | undefined, op: string): number[] {
  const all = axes ?? [...Array(x.rank).keys()];
  return [...new Set(all.map((a) => normalizeAxis(a, x.rank, op)))].sort((a, b) => a - b);
}

export const ReduceSumOp = defineOp({
  type: 'ReduceSum',
  gradient: ({ node, inputs: [x], gradOutputs: [dy] }) => {
    const axes = node.meta.axes as number[];
    return [spread(dy!, x!, axes, node.attributes.keepdims === 1), undefined];
  },
});

export const ReduceMeanOp = defineOp({
  type: 'ReduceMean',
  gradient: ({ node, inputs: [x], outputs: [y], gradOutputs: [dy] }) => {
    const axes = node.attributes.axes as number[];
    const count = reducedCount(x!, y, axes);
    return [div(spread(dy!, x!, axes, node.attributes.keepdims === 1), count)];
  },
});

/** How many input elements each output element averages: static when the reduced dims are. */
function reducedCount(x: Value, y: Value, axes: readonly number[]): Value | number {
  const dims = axes.map((a) => x.shape[a]);
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1);
  return div(cast(sizeOf(x), 'float32'), cast(sizeOf(y), 'float32'));
}

/** Sum over `axes` (all axes when omitted). */
export function reduceSum(x: Value, axes?: readonly number[], keepDims = false): Value {
  requireFloat('ReduceSum', x);
  const normalized = axesOf(x, axes, 'ReduceSum');
  // ReduceSum takes its axes as an input since opset 13.
  return x.graph.addNode(ReduceSumOp, [x, x.graph.int64s(normalized)], { keepdims: keepDims ? 1 : 0 }, [
    { dtype: 'float32', shape: reducedShape(x, normalized, keepDims) },
  ], { axes: normalized })[0];
}

/** Mean over `axes` (all axes when omitted). */
export function reduceMean(x: Value, axes?: readonly number[], keepDims = false): Value {
  requireFloat('ReduceMean', x);
  const normalized = axesOf(x, axes, 'ReduceMean');
  return x.graph.addNode(ReduceMeanOp, [x], { axes: normalized, keepdims: keepDims ? 1 : 0 }, [
    { dtype: 'float32', shape: reducedShape(x, normalized, keepDims) },
  ])[0];
}

/** Mean of all elements as a scalar (shape []). */
export function mean(x: Value): Value {
  return reduceMean(x, undefined, false);
}

/** Sum of squares (the squared L2 norm) of all elements, as a scalar. */
export function sumOfSquares(x: Value): Value {
  return reduceSum(mul(x, x));
}
