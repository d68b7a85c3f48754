import { reshape, transpose } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';

/**
 * The two ways OmniSR gathers the pixels of a [B, C, H, W] map into groups that attend among
 * themselves (the picture size is static and a multiple of the window w):
 *  - 'window': each w x w block of neighbouring pixels (local aggregation);
 *  - 'grid':   w x w pixels spread over the whole picture, H/w and W/w apart (global, dilated aggregation).
 */
export type Grouping = 'window' | 'grid';

const dims = (x: Value) => x.shape as number[];

/**
 * The 6-D view of a [B, C, H, W] map that splits each side into (windows, position in window), in the
 * order the grouping reads them: window (x, w1) for 'window' rows y = x * w + w1, and (w1, x) for
 * 'grid' rows y = w1 * (H / w) + x.
 */
function split6(x: Value, window: number, grouping: Grouping): Value {
  const [b, c, h, w] = dims(x);
  return grouping === 'window' ? reshape(x, [b, c, h / window, window, w / window, window]) : reshape(x, [b, c, window, h / window, window, w / window]);
}

/** Axes of split6's view giving [B, windows x, windows y, w1, w2, C]. */
const TOKEN_ORDER: Record<Grouping, number[]> = { window: [0, 2, 4, 3, 5, 1], grid: [0, 3, 5, 2, 4, 1] };

/** [B, C, H, W] -> tokens [B * groups, w*w, C], a group's pixels in row-major order of their (w1, w2). */
export function toTokenGroups(x: Value, window: number, grouping: Grouping): Value {
  const [b, c, h, w] = dims(x);
  return reshape(transpose(split6(x, window, grouping), TOKEN_ORDER[grouping]), [b * (h / window) * (w / window), window * window, c]);
}

/** The inverse of toTokenGroups, for a picture of `batch` x H x W. */
export function fromTokenGroups(tokens: Value, window: number, grouping: Grouping, batch: number, height: number, width: number): Value {
  const c = dims(tokens)[2];
  const [x, y] = [height / window, width / window];
  const grouped = reshape(tokens, [batch, x, y, window, window, c]);
  const order = grouping === 'window' ? [0, 5, 1, 3, 2, 4] : [0, 5, 3, 1, 4, 2];
  return reshape(transpose(grouped, order), [batch, c, height, width]);
}

/**
 * [B, heads * d, H, W] -> [B * groups, heads, d, pixels of a group] for channel attention, where each
 * channel of a head is a vector over the pixels of a group: one w x w window ('window'), or the pixels
 * at one position inside every window ('grid': a group per position, its vector over all windows).
 */
export function toChannelVectors(x: Value, window: number, heads: number, grouping: Grouping): Value {
  const [b, c, h, w] = dims(x);
  const [xs, ys, d] = [h / window, w / window, c / heads];
  const blocks = reshape(x, [b, heads, d, xs, window, ys, window]); // b, head, d, x, ph, y, pw
  return grouping === 'window'
    ? reshape(transpose(blocks, [0, 3, 5, 1, 2, 4, 6]), [b * xs * ys, heads, d, window * window])
    : reshape(transpose(blocks, [0, 4, 6, 1, 2, 3, 5]), [b * window * window, heads, d, xs * ys]);
}

/** The inverse of toChannelVectors. */
export function fromChannelVectors(v: Value, window: number, grouping: Grouping, batch: number, height: number, width: number): Value {
  const [, heads, d] = dims(v);
  const [xs, ys] = [height / window, width / window];
  const blocks =
    grouping === 'window'
      ? transpose(reshape(v, [batch, xs, ys, heads, d, window, window]), [0, 3, 4, 1, 5, 2, 6])
      : transpose(reshape(v, [batch, window, window, heads, d, xs, ys]), [0, 3, 4, 5, 1, 6, 2]);
  return reshape(blocks, [batch, heads * d, height, width]);
}
