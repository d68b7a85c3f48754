import { requireRank } from '../graph.js';
import { formatShape } from '../shape.js';
import type { Value } from '../value.js';
import { greater, where } from './compare.js';
import { pad } from './pad.js';
import { reshape, slice } from './shape.js';

/** The larger of a and b elementwise; the gradient goes to the one chosen (a on ties). */
const maximum = (a: Value, b: Value): Value => where(greater(b, a), b, a);

/** Max over windows of `kernel` along one static axis, every `stride`-th window kept (no padding). */
function maxAlongAxis(x: Value, axis: 2 | 3, kernel: number, stride: number): Value {
  const length = x.shape[axis] as number;
  const windows = length - kernel + 1;
  let m = slice(x, [0], [windows], [axis]);
  for (let k = 1; k < kernel; k++) m = maximum(m, slice(x, [k], [k + windows], [axis]));
  if (stride === 1) return m;
  // Keep windows 0, s, 2s, ...: pad to a multiple of the stride, fold the axis into (kept, stride) and take phase 0.
  const kept = Math.floor((windows - 1) / stride) + 1;
  const pads = [0, 0, 0, 0, 0, 0, 0, 0];
  pads[4 + axis] = kept * stride - windows;
  const dims = m.shape as number[];
  const folded = reshape(pad(m, pads), [...dims.slice(0, axis), kept, stride, ...dims.slice(axis + 1)]);
  const phase = slice(folded, [0], [1], [axis + 1]);
  return reshape(phase, [...dims.slice(0, axis), kept, ...dims.slice(axis + 1)]);
}

/**
 * torch.nn.functional.max_pool2d(x, kernel, stride) without padding, for windows that overlap
 * (kernel > stride, as ESA's 7x7 at stride 3), built from slices and elementwise maxima so that it
 * has a gradient (the MaxPool rule covers only windows that tile the input). Max is separable: rows
 * first, then columns. Needs a static NCHW shape.
 */
export function maxPoolOverlapping(x: Value, kernel: number, stride: number): Value {
  requireRank('maxPoolOverlapping', x, 4);
  const [height, width] = [x.shape[2], x.shape[3]];
  if (typeof height !== 'number' || typeof width !== 'number') throw new RangeError(`maxPoolOverlapping: needs a static height and width, got ${formatShape(x.shape)}`);
  if (height < kernel || width < kernel) throw new RangeError(`maxPoolOverlapping: a ${kernel}x${kernel} window does not fit in ${formatShape(x.shape)}`);
  if (!Number.isInteger(kernel) || !Number.isInteger(stride) || kernel < 1 || stride < 1) throw new RangeError(`maxPoolOverlapping: kernel ${kernel} and stride ${stride} must be positive integers`);
  return maxAlongAxis(maxAlongAxis(x, 2, kernel, stride), 3, kernel, stride);
}
