import { requireFloat, requireRank } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { formatShape, windowOutputDim } from '../shape.js';
import type { Value } from '../value.js';
import { equal, where } from './compare.js';
import { div } from './elementwise.js';
import { resizeNearest } from './resize.js';

interface PoolSpec {
  kernel: [number, number];
  strides: [number, number];
}

function poolOutput(x: Value, spec: PoolSpec) {
  return [
    x.shape[0],
    x.shape[1],
    windowOutputDim(x.shape[2], spec.kernel[0], spec.strides[0], 0, 0, 1),
    windowOutputDim(x.shape[3], spec.kernel[1], spec.strides[1], 0, 0, 1),
  ];
}

/** Pool gradients here cover non-overlapping windows that tile the input exactly (the SR networks' use). */
function requireTiling(op: string, x: Value, spec: PoolSpec): void {
  const tiles = spec.kernel.every((k, i) => k === spec.strides[i]);
  const divisible = [2, 3].every((axis, i) => typeof x.shape[axis] !== 'number' || (x.shape[axis] as number) % spec.kernel[i] === 0);
  if (!tiles || !divisible) {
    throw new Error(`${op} gradient: only windows equal to the stride that tile the input are supported (kernel ${formatShape(spec.kernel)}, strides ${formatShape(spec.strides)}, input ${formatShape(x.shape)})`);
  }
}

export const AveragePoolOp = defineOp({
  type: 'AveragePool',
  gradient: ({ node, inputs: [x], gradOutputs: [dy] }) => {
    const spec = node.meta as unknown as PoolSpec;
    requireTiling('AveragePool', x!, spec);
    return [div(resizeNearest(dy!, spec.kernel), spec.kernel[0] * spec.kernel[1])];
  },
});

export const MaxPoolOp = defineOp({
  type: 'MaxPool',
  gradient: ({ node, inputs: [x], outputs: [y], gradOutputs: [dy] }) => {
    const spec = node.meta as unknown as PoolSpec;
    requireTiling('MaxPool', x!, spec);
    // The gradient goes to the position(s) holding the maximum; exact ties share it (each gets all of it).
    return [where(equal(x!, resizeNearest(y, spec.kernel)), resizeNearest(dy!, spec.kernel), 0)];
  },
});

function pool(op: ReturnType<typeof defineOp>, x: Value, kernel: readonly [number, number], strides?: readonly [number, number]): Value {
  requireFloat(op.type, x);
  requireRank(op.type, x, 4);
  const spec: PoolSpec = { kernel: [...kernel] as [number, number], strides: [...(strides ?? kernel)] as [number, number] };
  return x.graph.addNode(op, [x], { kernel_shape: spec.kernel, strides: spec.strides }, [{ dtype: 'float32', shape: poolOutput(x, spec) }], spec as unknown as Record<string, unknown>)[0];
}

/** Average over kernel windows (no padding); strides default to the kernel. */
export const averagePool = (x: Value, kernel: readonly [number, number], strides?: readonly [number, number]): Value => pool(AveragePoolOp, x, kernel, strides);
/** Maximum over kernel windows (no padding); strides default to the kernel. */
export const maxPool = (x: Value, kernel: readonly [number, number], strides?: readonly [number, number]): Value => pool(MaxPoolOp, x, kernel, strides);
