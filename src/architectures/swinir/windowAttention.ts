import type { Graph } from '../../graph/graph.js';
import { gatherRows } from '../../graph/ops/gather.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { matmul, transposeLast2 } from '../../graph/ops/matmul.js';
import { softmax } from '../../graph/ops/softmax.js';
import { reshape, roll, split, transpose } from '../../graph/ops/shape.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { linear } from '../../nn/linear.js';
import { truncatedNormal } from './init.js';

/**
 * Swin window attention over tokens of a picture whose size the graph knows (window partitions,
 * shifts and masks are built for that size): SwinIR, HAT and their relatives share it.
 */

/** For each pair (i, j) of a window's w*w positions, the row of the (2w-1)^2 bias table: Swin's relative_position_index. */
export function relativePositionIndex(window: number): number[] {
  const n = window * window;
  const index: number[] = new Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dy = Math.floor(i / window) - Math.floor(j / window) + window - 1;
      const dx = (i % window) - (j % window) + window - 1;
      index[i * n + j] = dy * (2 * window - 1) + dx;
    }
  }
  return index;
}

/**
 * The shifted-window mask of an H x W picture: after the cyclic shift, windows along the bottom and
 * right edges hold pixels from opposite sides, which must not attend to each other (-100, as Swin).
 * [windows, N, N], windows in row-major order.
 */
export function shiftedWindowMask(height: number, width: number, window: number, shift: number): Float32Array {
  const region = (p: number, size: number) => (p < size - window ? 0 : p < size - shift ? 1 : 2);
  const [rows, columns, n] = [height / window, width / window, window * window];
  const mask = new Float32Array(rows * columns * n * n);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const labels = Array.from({ length: n }, (_, k) => 3 * region(r * window + Math.floor(k / window), height) + region(c * window + (k % window), width));
      const base = (r * columns + c) * n * n;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mask[base + i * n + j] = labels[i] === labels[j] ? 0 : -100;
    }
  }
  return mask;
}

/** [B, H, W, C] -> [B * windows, w*w, C]. */
export function windowPartition(x: Value, window: number): Value {
  const [b, h, w, c] = x.shape as number[];
  const blocks = reshape(x, [b, h / window, window, w / window, window, c]);
  return reshape(transpose(blocks, [0, 1, 3, 2, 4, 5]), [b * (h / window) * (w / window), window * window, c]);
}

/** [B * windows, w*w, C] -> [B, H, W, C]. */
export function windowReverse(windows: Value, window: number, batch: number, height: number, width: number): Value {
  const c = windows.shape[2] as number;
  const blocks = reshape(windows, [batch, height / window, width / window, window, window, c]);
  return reshape(transpose(blocks, [0, 1, 3, 2, 4, 5]), [batch, height, width, c]);
}

/** One mask constant per graph and shape: every shifted block of a network shares it (16 MB at 256x256). */
const masks = new WeakMap<Graph, Map<string, Value>>();

function maskConstant(graph: Graph, height: number, width: number, window: number, shift: number): Value {
  let cache = masks.get(graph);
  if (!cache) masks.set(graph, (cache = new Map()));
  const key = `${height}x${width}/${window}/${shift}`;
  let mask = cache.get(key);
  if (!mask) {
    const n = window * window;
    mask = graph.constant(float32Tensor(shiftedWindowMask(height, width, window, shift), [(height / window) * (width / window), 1, n, n]));
    cache.set(key, mask);
  }
  return mask;
}

export interface WindowAttentionShape {
  batch: number;
  height: number;
  width: number;
  channels: number;
  heads: number;
  window: number;
  shift: number;
  qkvBias: boolean;
}

/**
 * (Shifted) window multi-head self-attention of tokens [B*H*W, C] (row-major pixels): qkv, scaled dot
 * products plus the relative-position bias from `relative_position_bias_table`, the mask for shifted
 * windows, softmax, proj. Parameters under `ctx` as Swin names them (qkv, proj, relative_position_bias_table).
 */
export function windowAttention(ctx: BuildContext, tokens: Value, s: WindowAttentionShape): Value {
  const { batch, height, width, channels: c, heads, window, shift } = s;
  const n = window * window;
  const headDim = c / heads;
  let x = reshape(tokens, [batch, height, width, c]);
  if (shift > 0) x = roll(roll(x, -shift, 1), -shift, 2);
  const windows = windowPartition(x, window);
  const count = windows.shape[0] as number;
  const qkv = linear(ctx, 'qkv', reshape(windows, [count * n, c]), c, 3 * c, s.qkvBias);
  // [windows, N, 3, heads, d] -> [3, windows, heads, N, d]
  const [q, k, v] = split(transpose(reshape(qkv, [count, n, 3, heads, headDim]), [2, 0, 3, 1, 4]), 0, [1, 1, 1]).map((t) => reshape(t, [count, heads, n, headDim]));
  let scores = matmul(mul(q, headDim ** -0.5), transposeLast2(k)); // [windows, heads, N, N]
  const table = ctx.parameter('relative_position_bias_table', [(2 * window - 1) ** 2, heads], 1, truncatedNormal(0.02));
  const bias = transpose(gatherRows(table, { data: relativePositionIndex(window), shape: [n, n] }), [2, 0, 1]); // [heads, N, N]
  scores = add(scores, bias);
  if (shift > 0) {
    const perPicture = count / batch;
    const mask = maskConstant(tokens.graph, height, width, window, shift);
    scores = reshape(add(reshape(scores, [batch, perPicture, heads, n, n]), mask), [count, heads, n, n]);
  }
  const attended = transpose(matmul(softmax(scores, -1), v), [0, 2, 1, 3]); // [windows, N, heads, d]
  const projected = linear(ctx, 'proj', reshape(attended, [count * n, c]), c, c);
  let back = windowReverse(reshape(projected, [count, n, c]), window, batch, height, width);
  if (shift > 0) back = roll(roll(back, shift, 1), shift, 2);
  return reshape(back, [batch * height * width, c]);
}
