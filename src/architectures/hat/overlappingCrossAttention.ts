import { gatherRows } from '../../graph/ops/gather.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { matmul, transposeLast2 } from '../../graph/ops/matmul.js';
import { softmax } from '../../graph/ops/softmax.js';
import { reshape, slice, split, transpose } from '../../graph/ops/shape.js';
import { unfold } from '../../graph/ops/unfold.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { linear } from '../../nn/linear.js';
import { truncatedNormal } from '../swinir/init.js';
import { windowPartition, windowReverse } from '../swinir/windowAttention.js';
import { mlpResidual } from './hybridAttentionBlock.js';
import { tokenNorm } from '../tokens.js';

/** The side of the key/value windows around a window: window + int(window * overlap ratio), as the reference. */
export const overlapWindowSize = (window: number, overlapRatio: number): number => window + Math.floor(window * overlapRatio + 1e-9);

/**
 * For each (query of a window, key of its overlapping window) pair the row of the (window + overlap - 1)^2
 * bias table, as HAT's calculate_rpi_oca: its offset (window - overlap + 1) leaves some indices negative,
 * and PyTorch's indexing wraps those to the end of the table; released models were trained so.
 */
export function overlapRelativePositionIndex(window: number, overlap: number): number[] {
  const [n, m, side] = [window * window, overlap * overlap, window + overlap - 1];
  const rows = side * side;
  const index: number[] = new Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const dy = Math.floor(j / overlap) - Math.floor(i / window) + window - overlap + 1;
      const dx = (j % overlap) - (i % window) + window - overlap + 1;
      index[i * m + j] = (((dy * side + dx) % rows) + rows) % rows;
    }
  }
  return index;
}

export interface OverlappingCrossAttentionShape {
  batch: number;
  height: number;
  width: number;
  channels: number;
  heads: number;
  window: number;
  /** The side of the key/value windows (overlapWindowSize), window + an even number. */
  overlap: number;
  qkvBias: boolean;
  mlpRatio: number;
}

/**
 * HAT's overlapping cross-attention block (OCAB) on tokens [B*H*W, C], under `overlap_attn`: queries from
 * the window x window windows, keys and values from the larger windows centred on them (nn.Unfold with
 * zero padding at the picture's edges), so information crosses window borders without a shift. Plus the
 * relative-position bias, proj, a residual and the block's MLP.
 */
export function overlappingCrossAttention(ctx: BuildContext, tokens: Value, s: OverlappingCrossAttentionShape): Value {
  const { batch, height, width, channels: c, heads, window, overlap } = s;
  const [n, m, d] = [window * window, overlap * overlap, c / heads];
  const qkv = reshape(linear(ctx, 'qkv', tokenNorm(ctx, 'norm1', tokens, c), c, 3 * c, s.qkvBias), [batch, height, width, 3 * c]);
  const queryWindows = windowPartition(slice(qkv, [0], [c], [3]), window);
  const count = queryWindows.shape[0] as number;
  const q = transpose(reshape(queryWindows, [count, n, heads, d]), [0, 2, 1, 3]); // [windows, heads, N, d]
  const keysAndValues = unfold(transpose(slice(qkv, [c], [3 * c], [3]), [0, 3, 1, 2]), { kernel: overlap, stride: window, padding: (overlap - window) / 2 });
  // [B, (2, heads, d, overlap^2), windows] -> [2, B * windows, heads, overlap^2, d]
  const perWindow = reshape(transpose(reshape(keysAndValues, [batch, 2, heads, d, m, count / batch]), [1, 0, 5, 2, 4, 3]), [2, count, heads, m, d]);
  const [k, v] = split(perWindow, 0, [1, 1]).map((t) => reshape(t, [count, heads, m, d]));
  const table = ctx.parameter('relative_position_bias_table', [(window + overlap - 1) ** 2, heads], 1, truncatedNormal(0.02));
  const bias = transpose(gatherRows(table, { data: overlapRelativePositionIndex(window, overlap), shape: [n, m] }), [2, 0, 1]); // [heads, N, M]
  const scores = add(matmul(mul(q, d ** -0.5), transposeLast2(k)), bias);
  const attended = reshape(transpose(matmul(softmax(scores, -1), v), [0, 2, 1, 3]), [count, n, c]);
  const merged = reshape(windowReverse(attended, window, batch, height, width), [batch * height * width, c]);
  return mlpResidual(ctx, add(linear(ctx, 'proj', merged, c, c), tokens), c, s.mlpRatio);
}
