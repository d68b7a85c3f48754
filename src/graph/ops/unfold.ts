import { formatShape } from '../shape.js';
import type { Value } from '../value.js';
import { pad } from './pad.js';
import { concat, reshape, slice, transpose, unsqueeze } from './shape.js';

export interface UnfoldOptions {
  kernel: number;
  stride: number;
  /** Zero padding on every side. */
  padding: number;
}

/** Window starts along one axis of `length` padded elements: floor((length - kernel) / stride) + 1 of them. */
function windowCount(length: number, kernel: number, stride: number): number {
  return Math.floor((length - kernel) / stride) + 1;
}

/** Every window along `axis`, each a slice of `kernel` elements, stacked on a new axis before it. */
function stackWindows(x: Value, axis: number, count: number, kernel: number, stride: number): Value {
  const windows = Array.from({ length: count }, (_, i) => unsqueeze(slice(x, [i * stride], [i * stride + kernel], [axis]), [axis]));
  return count === 1 ? windows[0] : concat(windows, axis);
}

/**
 * torch.nn.Unfold (im2col) of NCHW `x` with a square kernel and no dilation: [B, C * k * k, L], each
 * column one kernel-sized patch (channel-major, then kernel row, then kernel column), the L patches in
 * row-major order. ONNX has no such op, so it is made of a zero Pad and one Slice per window row and
 * per window column: the gradient (and its gradient) then comes from their rules, and the slices stay
 * as few as the windows along a side rather than kernel^2 shifted copies.
 */
export function unfold(x: Value, { kernel, stride, padding }: UnfoldOptions): Value {
  if (x.rank !== 4 || !x.shape.every((d) => typeof d === 'number')) throw new RangeError(`Unfold: needs a static NCHW input, got ${formatShape(x.shape)}`);
  if (![kernel, stride].every((v) => Number.isInteger(v) && v >= 1) || !Number.isInteger(padding) || padding < 0) {
    throw new RangeError(`Unfold: kernel and stride must be positive integers and padding a non-negative one, got ${kernel}, ${stride}, ${padding}`);
  }
  const [b, c, h, w] = x.shape as number[];
  const [rows, columns] = [windowCount(h + 2 * padding, kernel, stride), windowCount(w + 2 * padding, kernel, stride)];
  if (rows < 1 || columns < 1) throw new RangeError(`Unfold: a ${kernel}x${kernel} kernel does not fit ${formatShape(x.shape)} padded by ${padding}`);
  const padded = padding > 0 ? pad(x, [0, 0, padding, padding, 0, 0, padding, padding]) : x;
  const byRow = stackWindows(padded, 2, rows, kernel, stride); // [B, C, rows, k, W + 2p]
  const patches = stackWindows(byRow, 4, columns, kernel, stride); // [B, C, rows, k, columns, k]
  return reshape(transpose(patches, [0, 1, 3, 5, 2, 4]), [b, c * kernel * kernel, rows * columns]);
}
