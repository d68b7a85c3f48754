import type { Graph } from '../../graph/graph.js';
import { sigmoid } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { matmul, transposeLast2 } from '../../graph/ops/matmul.js';
import { pad } from '../../graph/ops/pad.js';
import { softmax } from '../../graph/ops/softmax.js';
import { concat, reshape, roll, slice, split, transpose } from '../../graph/ops/shape.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { linear } from '../../nn/linear.js';
import { channelMap, convBranch, spatialMap } from './interaction.js';
import { dynamicPositionBias } from './positionBias.js';
import { fromWindows, rectangleShiftMask, toWindows } from './rectangleWindows.js';
import { toPicture, toTokens } from '../tokens.js';

export interface SpatialAttentionShape {
  batch: number;
  height: number;
  width: number;
  channels: number;
  heads: number;
  /** The window [rows, columns] of the first half of the heads; the second half uses it turned. */
  split: readonly [number, number];
  shifted: boolean;
  qkvBias: boolean;
}

/** One mask constant per graph, picture size, window and shift: the shifted blocks of a network share them. */
const masks = new WeakMap<Graph, Map<string, Value>>();

function maskConstant(graph: Graph, height: number, width: number, hs: number, ws: number, sh: number, sw: number): Value {
  let cache = masks.get(graph);
  if (!cache) masks.set(graph, (cache = new Map()));
  const key = `${height}x${width}/${hs}x${ws}/${sh}x${sw}`;
  let mask = cache.get(key);
  if (!mask) {
    const n = hs * ws;
    mask = graph.constant(float32Tensor(rectangleShiftMask(height, width, hs, ws, sh, sw), [(height / hs) * (width / ws), 1, n, n]));
    cache.set(key, mask);
  }
  return mask;
}

/**
 * Self-attention inside hs x ws windows of q, k, v [3, B, H, W, C'] (H, W multiples of the window),
 * cyclically shifted by half a window first when `shifted` (with the mask that keeps wrapped-around
 * regions apart), plus the dynamic position bias of `ctx` (one of `attns.0/1`). [B, H, W, C'].
 */
function rectangleWindowAttention(ctx: BuildContext, qkv: Value, hs: number, ws: number, heads: number, shifted: boolean): Value {
  const [, batch, height, width, c] = qkv.shape as number[];
  const [sh, sw] = shifted ? [Math.floor(hs / 2), Math.floor(ws / 2)] : [0, 0];
  const n = hs * ws;
  const headDim = c / heads;
  const rolled = shifted ? roll(roll(qkv, -sh, 2), -sw, 3) : qkv;
  const windows = toWindows(reshape(rolled, [3, batch, height, width, heads, headDim]), hs, ws);
  const count = windows.shape[1] as number;
  const [q, k, v] = split(windows, 0, [1, 1, 1]).map((t) => reshape(t, [count, heads, n, headDim]));
  let scores = add(matmul(mul(q, headDim ** -0.5), transposeLast2(k)), dynamicPositionBias(ctx, qkv.graph, hs, ws, c, heads));
  if (shifted) {
    const mask = maskConstant(qkv.graph, height, width, hs, ws, sh, sw);
    scores = reshape(add(reshape(scores, [batch, count / batch, heads, n, n]), mask), [count, heads, n, n]);
  }
  const out = fromWindows(matmul(softmax(scores, -1), v), hs, ws, batch, height, width);
  return shifted ? roll(roll(out, sh, 1), sw, 2) : out;
}

/**
 * DAT's adaptive spatial attention on tokens [B*H*W, C]: qkv; half the channels attend in split[0] x
 * split[1] windows, the other half in split[1] x split[0] ones; beside it the conv branch on V; the
 * conv branch's channel map gates the attention, the attention's spatial map gates the conv branch;
 * proj. As the reference, q, k and v are padded with zeros (after the linear, so padded positions
 * are zero keys and values that still take part in the softmax) to a multiple of the larger window
 * side, and the attention cropped back.
 */
export function adaptiveSpatialAttention(ctx: BuildContext, tokens: Value, s: SpatialAttentionShape): Value {
  const { batch: b, height: h, width: w, channels: c } = s;
  const qkv = transpose(reshape(linear(ctx, 'qkv', tokens, c, 3 * c, s.qkvBias), [b, h, w, 3, c]), [3, 0, 1, 2, 4]); // [3, B, H, W, C]
  const v = transpose(reshape(slice(qkv, [2], [3], [0]), [b, h, w, c]), [0, 3, 1, 2]);
  const side = Math.max(...s.split);
  const [ph, pw] = [Math.ceil(h / side) * side, Math.ceil(w / side) * side];
  const padded = ph === h && pw === w ? qkv : pad(qkv, [0, 0, 0, 0, 0, 0, 0, ph - h, pw - w, 0]);
  const windowsOfHalf = [s.split, [s.split[1], s.split[0]]] as const;
  const halves = split(padded, 4, [c / 2, c / 2]).map((half, i) => {
    const [hs, ws] = windowsOfHalf[i];
    const out = rectangleWindowAttention(ctx.child('attns').child(i), half, hs, ws, Math.floor(s.heads / 2), s.shifted);
    return ph === h && pw === w ? out : slice(out, [0, 0], [h, w], [1, 2]);
  });
  const attended = reshape(concat(halves, 3), [b * h * w, c]);
  const conv = convBranch(ctx, v, c);
  const channelGate = reshape(sigmoid(channelMap(ctx, conv, c)), [b, 1, c]);
  const spatialGate = sigmoid(spatialMap(ctx, toPicture(attended, b, h, w), c));
  const gatedAttention = reshape(mul(reshape(attended, [b, h * w, c]), channelGate), [b * h * w, c]);
  return linear(ctx, 'proj', add(gatedAttention, toTokens(mul(spatialGate, conv))), c, c);
}
