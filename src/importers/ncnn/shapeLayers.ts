import { depthToSpace } from '../../graph/ops/pixelShuffle.js';
import { concat, slice, TO_END } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import { onnxAxis, requireInputCount, type LayerContext, type LayerConverter } from './layerContext.js';

/** ncnn's "no bound" in Crop's starts, ends and sizes. */
const UNBOUNDED = -233;

/** Split copies its input to every output blob. */
export const splitLayer: LayerConverter = (context) => {
  requireInputCount(context, 1);
  return context.layer.outputs.map(() => context.inputs[0]);
};

/** Noop passes its blobs through. */
export const noopLayer: LayerConverter = (context) => {
  if (context.layer.outputs.length !== context.inputs.length) context.fail(`has ${context.inputs.length} inputs but ${context.layer.outputs.length} outputs`);
  return [...context.inputs];
};

export const concatLayer: LayerConverter = (context) => {
  if (context.inputs.length === 0) context.fail('has no input blob');
  return [concat(context.inputs, onnxAxis(context, context.params.int(0, 0)))];
};

/** Mode 0 is PyTorch's PixelShuffle (ONNX DepthToSpace CRD), mode 1 the DCR order. */
export const pixelShuffleLayer: LayerConverter = (context) => {
  requireInputCount(context, 1);
  const factor = context.params.int(0, 1);
  const mode = context.params.int(1, 0);
  if (factor < 1) context.fail(`upscale_factor ${factor} must be positive`);
  if (mode !== 0 && mode !== 1) context.fail(`mode ${mode} is not supported (0 or 1)`);
  return [depthToSpace(context.inputs[0], factor, mode === 0 ? 'CRD' : 'DCR')];
};

interface Bounds {
  axis: number;
  start: number;
  end: number;
}

/** Numpy-style crop (parameters 9 starts, 10 ends, 11 axes); ncnn reads an end of 0 or -233 as "to the end". */
function numpyBounds(context: LayerContext, starts: readonly number[], ends: readonly number[]): Bounds[] {
  const given = context.params.array(11);
  const axes = given.length > 0 ? given : [0, 1, 2];
  if (starts.length !== axes.length || ends.length !== axes.length) {
    context.fail(`has ${starts.length} starts and ${ends.length} ends for ${axes.length} axes`);
  }
  return axes.map((axis, i) => ({
    axis: onnxAxis(context, axis),
    start: starts[i] === UNBOUNDED ? 0 : starts[i],
    end: ends[i] === UNBOUNDED || ends[i] === 0 ? TO_END : ends[i],
  }));
}

/**
 * Offset-style crop: per axis (w, h, c) an offset from the start, an output size (-233 for all that is
 * left) and an offset from the end; the output keeps min(size, length - offset - end offset) elements.
 * Returns the slice that applies both offsets, then the one that applies the sizes.
 */
function offsetBounds(context: LayerContext): [Bounds[], Bounds[]] {
  const p = context.params;
  const byAxis = [
    { axis: 3, offset: p.int(0, 0), size: p.int(3, 0), endOffset: p.int(6, 0) },
    { axis: 2, offset: p.int(1, 0), size: p.int(4, 0), endOffset: p.int(7, 0) },
    { axis: 1, offset: p.int(2, 0), size: p.int(5, 0), endOffset: p.int(8, 0) },
  ];
  if (byAxis.every((a) => a.size === 0 && a.endOffset === 0)) context.fail('crops to the size of a reference blob, which is not supported');
  const offsets: Bounds[] = [];
  const sizes: Bounds[] = [];
  for (const { axis, offset, size, endOffset } of byAxis) {
    if (offset < 0 || endOffset < 0) context.fail(`offsets ${offset} and ${endOffset} must not be negative`);
    if (size !== UNBOUNDED && size <= 0) context.fail(`an output size of ${size} gives an empty blob`);
    const end = endOffset > 0 ? -endOffset : size !== UNBOUNDED ? offset + size : TO_END;
    if (offset > 0 || end !== TO_END) offsets.push({ axis, start: offset, end });
    if (endOffset > 0 && size !== UNBOUNDED) sizes.push({ axis, start: 0, end: size });
  }
  return [offsets, sizes];
}

function sliceBounds(x: Value, bounds: readonly Bounds[]): Value {
  if (bounds.length === 0) return x;
  return slice(
    x,
    bounds.map((b) => b.start),
    bounds.map((b) => b.end),
    bounds.map((b) => b.axis),
  );
}

export const cropLayer: LayerConverter = (context) => {
  if (context.inputs.length !== 1) context.fail('crops to the size of a reference blob, which is not supported');
  if ([19, 20, 21].some((id) => context.params.has(id))) context.fail('crop bounds given as expressions are not supported');
  const x = context.inputs[0];
  const starts = context.params.array(9);
  const ends = context.params.array(10);
  if (starts.length > 0 && ends.length > 0) return [sliceBounds(x, numpyBounds(context, starts, ends))];
  const [offsets, sizes] = offsetBounds(context);
  return [sliceBounds(sliceBounds(x, offsets), sizes)];
};
