import { reshape, transpose } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';

/**
 * The geometry of DAT's rectangle windows (hs rows x ws columns): the offsets a position MLP turns
 * into biases, which offset each pair of window positions has, the shifted-window masks, and the
 * partition of a picture into windows. Pure functions of the window and picture sizes.
 */

/** Every (dy, dx) by which two positions of an hs x ws window can differ, row-major: the reference's `rpe_biases` [(2hs-1)(2ws-1), 2]. */
export function windowOffsets(hs: number, ws: number): Float32Array {
  const out = new Float32Array((2 * hs - 1) * (2 * ws - 1) * 2);
  let i = 0;
  for (let dy = 1 - hs; dy < hs; dy++) {
    for (let dx = 1 - ws; dx < ws; dx++) {
      out[i++] = dy;
      out[i++] = dx;
    }
  }
  return out;
}

/** For positions i, j of a window (row-major), the row of `windowOffsets` holding (yi - yj, xi - xj): the reference's `relative_position_index` [N, N]. */
export function windowOffsetIndex(hs: number, ws: number): number[] {
  const n = hs * ws;
  const index: number[] = new Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dy = Math.floor(i / ws) - Math.floor(j / ws) + hs - 1;
      const dx = (i % ws) - (j % ws) + ws - 1;
      index[i * n + j] = dy * (2 * ws - 1) + dx;
    }
  }
  return index;
}

/**
 * The mask of an H x W picture whose hs x ws windows were cyclically shifted by (sh, sw): positions of
 * a window that came from different regions (edge strips of sh rows / sw columns, the window-wide
 * band before them, the rest) must not attend to each other (-100, as Swin). [windows, N, N].
 */
export function rectangleShiftMask(height: number, width: number, hs: number, ws: number, sh: number, sw: number): Float32Array {
  const region = (p: number, size: number, window: number, shift: number) => (p < size - window ? 0 : p < size - shift ? 1 : 2);
  const [rows, columns, n] = [height / hs, width / ws, hs * ws];
  const mask = new Float32Array(rows * columns * n * n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const labels = Array.from({ length: n }, (_, k) => 3 * region(r * hs + Math.floor(k / ws), height, hs, sh) + region(c * ws + (k % ws), width, ws, sw));
      const base = (r * columns + c) * n * n;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mask[base + i * n + j] = labels[i] === labels[j] ? 0 : -100;
    }
  }
  return mask;
}

/**
 * Which spatial blocks shift their windows (by half a window): blocks 2, 6, 10... of even groups and
 * 0, 4, 8... of odd ones, so that consecutive shifted blocks across a group boundary alternate too.
 */
export function isShiftedBlock(group: number, block: number): boolean {
  if (block % 2 !== 0) return false;
  return group % 2 === 0 ? block % 4 === 2 : block % 4 === 0;
}

/** [L, B, H, W, heads, d] (L stacked tensors, e.g. q, k, v) -> [L, B * windows, heads, hs*ws, d], windows row-major. */
export function toWindows(x: Value, hs: number, ws: number): Value {
  const [l, b, h, w, heads, d] = x.shape as number[];
  const blocks = reshape(x, [l, b, h / hs, hs, w / ws, ws, heads, d]);
  return reshape(transpose(blocks, [0, 1, 2, 4, 6, 3, 5, 7]), [l, b * (h / hs) * (w / ws), heads, hs * ws, d]);
}

/** [B * windows, heads, hs*ws, d] -> [B, H, W, heads * d]. */
export function fromWindows(windows: Value, hs: number, ws: number, batch: number, height: number, width: number): Value {
  const [, heads, , d] = windows.shape as number[];
  const blocks = reshape(windows, [batch, height / hs, width / ws, heads, hs, ws, d]);
  return reshape(transpose(blocks, [0, 1, 4, 2, 5, 3, 6]), [batch, height, width, heads * d]);
}
