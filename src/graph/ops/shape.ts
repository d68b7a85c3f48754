import { graphOf } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { formatShape, isStatic, normalizeAxis, staticSize, type Dim } from '../shape.js';
import type { DType, Value } from '../value.js';
import { sumToShape } from './broadcast.js';
import { pad } from './pad.js';

// Stands for "past the end" in Slice bounds: ONNX clamps it to the axis, and it is exact as a JS number.
const BIG_INDEX = Number.MAX_SAFE_INTEGER;

export const ShapeOp = defineOp({ type: 'Shape', constantOutput: true });
export const SizeOp = defineOp({ type: 'Size', constantOutput: true });

/** The shape of `x` as a 1-D int64 tensor, computed when the graph runs. */
export function shapeOf(x: Value): Value {
  return x.graph.addNode(ShapeOp, [x], {}, [{ dtype: 'int64', shape: [x.rank] }])[0];
}

/** The number of elements of `x` as an int64 scalar. */
export function sizeOf(x: Value): Value {
  return x.graph.addNode(SizeOp, [x], {}, [{ dtype: 'int64', shape: [] }])[0];
}

const ONNX_TYPE: Record<DType, number> = { float32: 1, int64: 7, bool: 9 };

export const CastOp = defineOp({
  type: 'Cast',
  gradient: ({ inputs: [x], gradOutputs: [dy] }) => [x!.dtype === 'float32' ? cast(dy!, 'float32') : undefined],
});

export function cast(x: Value, to: DType): Value {
  return x.graph.addNode(CastOp, [x], { to: ONNX_TYPE[to] }, [{ dtype: to, shape: x.shape }])[0];
}

export const ReshapeOp = defineOp({
  type: 'Reshape',
  gradient: ({ inputs: [x], gradOutputs: [dy] }) => [reshapeLike(dy!, x!), undefined],
});

/**
 * Reshape with ONNX semantics: 0 copies the input's dim at that index, -1 is inferred. The target may
 * hold symbolic dims of `x` only through 0.
 */
export function reshape(x: Value, target: readonly number[]): Value {
  const shape: Dim[] = target.map((d, i) => {
    if (d === 0) {
      if (i >= x.rank) throw new RangeError(`Reshape: 0 at index ${i} but the input ${formatShape(x.shape)} has rank ${x.rank}`);
      return x.shape[i];
    }
    return d;
  });
  const inferred = shape.indexOf(-1);
  if (shape.filter((d) => d === -1).length > 1) throw new RangeError(`Reshape: more than one -1 in ${formatShape(target)}`);
  const inputSize = staticSize(x.shape);
  if (inferred >= 0) {
    const knownSize = staticSize(shape.filter((d, i) => i !== inferred));
    if (inputSize !== undefined && knownSize !== undefined) {
      if (inputSize % knownSize !== 0) throw new RangeError(`Reshape: ${formatShape(x.shape)} cannot become ${formatShape(target)}`);
      shape[inferred] = inputSize / knownSize;
    } else {
      shape[inferred] = `reshape${x.graph.nodes.length}`;
    }
  } else if (inputSize !== undefined && staticSize(shape) !== undefined && staticSize(shape) !== inputSize) {
    throw new RangeError(`Reshape: ${formatShape(x.shape)} (${inputSize} elements) cannot become ${formatShape(target)}`);
  }
  return x.graph.addNode(ReshapeOp, [x, x.graph.int64s(target)], {}, [{ dtype: x.dtype, shape }])[0];
}

/** Reshape `x` to the (run-time) shape of `like`. */
export function reshapeLike(x: Value, like: Value): Value {
  return x.graph.addNode(ReshapeOp, [x, shapeOf(like)], {}, [{ dtype: x.dtype, shape: like.shape }])[0];
}

export const TransposeOp = defineOp({
  type: 'Transpose',
  gradient: ({ node, gradOutputs: [dy] }) => {
    const perm = node.attributes.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(dy!, inverse)];
  },
});

export function transpose(x: Value, perm: readonly number[]): Value {
  if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new RangeError(`Transpose: perm ${formatShape(perm)} is not a permutation of the ${x.rank} axes of ${formatShape(x.shape)}`);
  }
  return x.graph.addNode(TransposeOp, [x], { perm }, [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }])[0];
}

export const FlattenOp = defineOp({
  type: 'Flatten',
  gradient: ({ inputs: [x], gradOutputs: [dy] }) => [reshapeLike(dy!, x!)],
});

/** [d0, ..., d(axis-1), rest] -> 2-D [d0*...*d(axis-1), rest], as ONNX Flatten. */
export function flatten(x: Value, axis = 1): Value {
  const a = axis === x.rank ? axis : normalizeAxis(axis, x.rank, 'Flatten');
  const product = (dims: Dim[]): Dim => staticSize(dims) ?? dims.join('*');
  const shape = [product(x.shape.slice(0, a)), product(x.shape.slice(a))];
  return x.graph.addNode(FlattenOp, [x], { axis: a }, [{ dtype: x.dtype, shape }])[0];
}

export const UnsqueezeOp = defineOp({
  type: 'Unsqueeze',
  gradient: ({ node, gradOutputs: [dy] }) => [squeeze(dy!, node.meta.axes as number[]), undefined],
});

export const SqueezeOp = defineOp({
  type: 'Squeeze',
  gradient: ({ node, gradOutputs: [dy] }) => [unsqueeze(dy!, node.meta.axes as number[]), undefined],
});

/** Insert size-1 axes at the given positions of the output. */
export function unsqueeze(x: Value, axes: readonly number[]): Value {
  const rank = x.rank + axes.length;
  const normalized = axes.map((a) => normalizeAxis(a, rank, 'Unsqueeze')).sort((a, b) => a - b);
  const shape: Dim[] = [];
  for (let i = 0, j = 0; i < rank; i++) shape.push(normalized.includes(i) ? 1 : x.shape[j++]);
  return x.graph.addNode(UnsqueezeOp, [x, x.graph.int64s(normalized)], {}, [{ dtype: x.dtype, shape }], { axes: normalized })[0];
}

/** Remove the given size-1 axes. */
export function squeeze(x: Value, axes: readonly number[]): Value {
  const normalized = axes.map((a) => normalizeAxis(a, x.rank, 'Squeeze')).sort((a, b) => a - b);
  for (const a of normalized) {
    if (x.shape[a] !== 1) throw new RangeError(`Squeeze: axis ${a} of ${formatShape(x.shape)} is not 1`);
  }
  const shape = x.shape.filter((_, i) => !normalized.includes(i));
  return x.graph.addNode(SqueezeOp, [x, x.graph.int64s(normalized)], {}, [{ dtype: x.dtype, shape }], { axes: normalized })[0];
}

export const ExpandOp = defineOp({
  type: 'Expand',
  gradient: ({ inputs: [x], gradOutputs: [dy] }) => [sumToShape(dy!, x!.shape), undefined],
});

/** Broadcast `x` to the run-time shape of `like` (x must broadcast to it). */
export function expandLike(x: Value, like: Value): Value {
  return expand(x, shapeOf(like), like.shape);
}

export function expand(x: Value, shape: Value, outputShape: readonly Dim[]): Value {
  return x.graph.addNode(ExpandOp, [x, shape], {}, [{ dtype: x.dtype, shape: outputShape }])[0];
}

/** A float32 tensor of zeros with the run-time shape of `like`. */
export function zerosLike(like: Value): Value {
  return expandLike(like.graph.scalar(0), like);
}

export const ConcatOp = defineOp({
  type: 'Concat',
  gradient: ({ node, inputs, gradOutputs: [dy], needsGrad }) => {
    const axis = node.attributes.axis as number;
    const sizes = inputs.map((v) => v!.shape[axis]);
    if (!sizes.every((d) => typeof d === 'number')) {
      throw new Error(`Concat gradient: the sizes along axis ${axis} must be static, got ${formatShape(sizes)}`);
    }
    const parts = split(dy!, axis, sizes as number[]);
    return parts.map((part, i) => (needsGrad[i] ? part : undefined));
  },
});

export function concat(values: readonly Value[], axis: number): Value {
  const graph = graphOf('Concat', ...values);
  const first = values[0];
  const a = normalizeAxis(axis, first.rank, 'Concat');
  for (const v of values) {
    const mismatch = v.rank !== first.rank || v.shape.some((d, i) => i !== a && typeof d === 'number' && typeof first.shape[i] === 'number' && d !== first.shape[i]);
    if (mismatch) throw new RangeError(`Concat: ${formatShape(v.shape)} does not match ${formatShape(first.shape)} outside axis ${a}`);
  }
  const along = values.map((v) => v.shape[a]);
  const shape = [...first.shape];
  shape[a] = isStatic(along) ? (along as number[]).reduce((s, d) => s + d, 0) : along.join('+');
  return graph.addNode(ConcatOp, values, { axis: a }, [{ dtype: first.dtype, shape }])[0];
}

export const SplitOp = defineOp({
  type: 'Split',
  gradient: ({ node, outputs, gradOutputs }) => {
    const parts = outputs.map((output, i) => gradOutputs[i] ?? zerosLike(output));
    return [concat(parts, node.attributes.axis as number), undefined];
  },
});

/** Split along `axis` into parts of the given sizes. */
export function split(x: Value, axis: number, sizes: readonly number[]): Value[] {
  const a = normalizeAxis(axis, x.rank, 'Split');
  const total = sizes.reduce((s, d) => s + d, 0);
  if (typeof x.shape[a] === 'number' && x.shape[a] !== total) {
    throw new RangeError(`Split: sizes ${formatShape(sizes)} add up to ${total}, but axis ${a} of ${formatShape(x.shape)} is ${x.shape[a]}`);
  }
  const outputs = sizes.map((size) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === a ? size : d)) }));
  return x.graph.addNode(SplitOp, [x, x.graph.int64s(sizes)], { axis: a }, outputs);
}

export const SliceOp = defineOp({
  type: 'Slice',
  gradient: ({ node, inputs: [x], gradOutputs: [dy] }) => {
    const { starts, ends, axes, steps } = node.meta as unknown as SliceSpec;
    // A reversal of a whole axis is its own inverse.
    if (steps.every((s) => s === -1) && axes.every((a, i) => starts[i] === -1 && ends[i] <= -BIG_INDEX)) {
      return [slice(dy!, starts, ends, axes, steps), undefined, undefined, undefined, undefined];
    }
    if (steps.some((s) => s !== 1)) throw new Error(`Slice gradient: only steps of 1 (or a whole-axis reversal) are supported, got ${formatShape(steps)}`);
    const rank = x!.rank;
    const pads = new Array<number>(2 * rank).fill(0);
    axes.forEach((axis, i) => {
      const length = x!.shape[axis];
      if (typeof length !== 'number') throw new Error(`Slice gradient: axis ${axis} of ${formatShape(x!.shape)} must be static`);
      const [begin, end] = clampSlice(starts[i], ends[i], length);
      pads[axis] = begin;
      pads[rank + axis] = length - end;
    });
    return [pad(dy!, pads), undefined, undefined, undefined, undefined];
  },
});

interface SliceSpec {
  starts: number[];
  ends: number[];
  axes: number[];
  steps: number[];
}

function clampSlice(start: number, end: number, length: number): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + length : v, 0), length);
  return [clamp(start), clamp(end)];
}

/** ONNX Slice with static starts/ends/axes/steps (negative indices count from the end). */
export function slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): Value {
  const stepList = steps ?? axes.map(() => 1);
  const normalized = axes.map((a) => normalizeAxis(a, x.rank, 'Slice'));
  const shape = [...x.shape];
  normalized.forEach((axis, i) => {
    const length = x.shape[axis];
    const step = stepList[i];
    if (typeof length !== 'number') {
      shape[axis] = `slice${x.graph.nodes.length}_${axis}`;
      return;
    }
    if (step === 1) {
      const [begin, end] = clampSlice(starts[i], ends[i], length);
      shape[axis] = Math.max(0, end - begin);
    } else if (step === -1 && starts[i] === -1 && ends[i] <= -BIG_INDEX) {
      shape[axis] = length;
    } else {
      throw new RangeError(`Slice: only step 1 or a whole-axis reversal is supported, got step ${step}`);
    }
  });
  const graph = x.graph;
  const spec: SliceSpec = { starts: [...starts], ends: [...ends], axes: normalized, steps: [...stepList] };
  return graph.addNode(
    SliceOp,
    [x, graph.int64s(starts), graph.int64s(ends), graph.int64s(normalized), graph.int64s(stepList)],
    {},
    [{ dtype: x.dtype, shape }],
    spec as unknown as Record<string, unknown>,
  )[0];
}

/** Reverse the order of elements along the given axes. */
export function flip(x: Value, axes: readonly number[]): Value {
  return slice(x, axes.map(() => -1), axes.map(() => -BIG_INDEX), axes, axes.map(() => -1));
}

/** The end index meaning "to the end of the axis". */
export const TO_END = BIG_INDEX;

/** torch.roll along one static axis: out[i] = x[(i - shift) mod n] (a cyclic shift, from two slices). */
export function roll(x: Value, shift: number, axis: number): Value {
  const a = normalizeAxis(axis, x.rank, 'roll');
  const n = x.shape[a];
  if (typeof n !== 'number') throw new RangeError(`roll: axis ${a} of ${formatShape(x.shape)} must be static`);
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  return concat([slice(x, [n - s], [n], [a]), slice(x, [0], [n - s], [a])], a);
}
