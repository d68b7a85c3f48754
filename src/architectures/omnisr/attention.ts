import { gatherRows } from '../../graph/ops/gather.js';
import { add, div, mul, sqrt } from '../../graph/ops/elementwise.js';
import { matmul, transposeLast2 } from '../../graph/ops/matmul.js';
import { layerNorm } from '../../graph/ops/normalization.js';
import { reduceSum } from '../../graph/ops/reduce.js';
import { softmax } from '../../graph/ops/softmax.js';
import { reshape, split, transpose } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { constantInit, type Initializer } from '../../nn/init.js';
import { linear } from '../../nn/linear.js';
import { relativePositionIndex } from '../swinir/windowAttention.js';
import { fromChannelVectors, fromTokenGroups, toChannelVectors, toTokenGroups, type Grouping } from './pixelGroups.js';

/** Both attentions of OmniSR split the features into 4 heads. */
export const OMNISR_HEADS = 4;

/** torch.nn.Embedding's initialisation: standard normal. */
const standardNormal: Initializer = (size, _fanIn, random) => Float32Array.from({ length: size }, () => random.normal());

export interface SpatialAttentionShape {
  channels: number;
  window: number;
  grouping: Grouping;
  /** Relative-position bias from the `rel_pos_bias` table (the same window offsets in both groupings). */
  positionBias: boolean;
}

/**
 * OmniSR's spatial self-attention as a pre-norm residual on an NCHW map (the reference's
 * PreNormResidual(LayerNorm, Attention)): pixels gathered into groups of w x w (neighbouring, or spread
 * over the picture), LayerNorm over channels, 4-head attention with no biases (to_qkv, to_out.0) plus
 * the bias table `fn.rel_pos_bias.weight`, added back to the tokens. Parameters under `ctx` (layer.N).
 */
export function spatialAttention(ctx: BuildContext, x: Value, s: SpatialAttentionShape): Value {
  const [b, , h, w] = x.shape as number[];
  const { channels: c, window } = s;
  const n = window * window;
  const headDim = c / OMNISR_HEADS;
  const tokens = toTokenGroups(x, window, s.grouping);
  const groups = tokens.shape[0] as number;
  const norm = ctx.child('norm');
  const normed = layerNorm(reshape(tokens, [groups * n, c]), norm.parameter('weight', [c], 1, constantInit(1)), norm.parameter('bias', [c], 1, constantInit(0)));
  const fn = ctx.child('fn');
  const qkv = linear(fn, 'to_qkv', normed, c, 3 * c, false);
  // [groups, N, 3, heads, d] -> [3, groups, heads, N, d]
  const [q, k, v] = split(transpose(reshape(qkv, [groups, n, 3, OMNISR_HEADS, headDim]), [2, 0, 3, 1, 4]), 0, [1, 1, 1]).map((t) => reshape(t, [groups, OMNISR_HEADS, n, headDim]));
  let scores = matmul(mul(q, headDim ** -0.5), transposeLast2(k));
  if (s.positionBias) {
    const table = fn.child('rel_pos_bias').parameter('weight', [(2 * window - 1) ** 2, OMNISR_HEADS], 1, standardNormal);
    scores = add(scores, transpose(gatherRows(table, { data: relativePositionIndex(window), shape: [n, n] }), [2, 0, 1]));
  }
  const attended = reshape(transpose(matmul(softmax(scores, -1), v), [0, 2, 1, 3]), [groups * n, c]);
  const out = reshape(linear(fn.child('to_out'), '0', attended, c, c, false), [groups, n, c]);
  return fromTokenGroups(add(out, tokens), window, s.grouping, b, h, w);
}

/**
 * Each vector divided by its L2 norm along the last axis, as F.normalize; the reference's floor of
 * 1e-12 on the norm is taken inside the square root, so the gradient stays finite at zero.
 */
function unitVectors(x: Value): Value {
  return div(x, sqrt(add(reduceSum(mul(x, x), [x.rank - 1], true), 1e-24)));
}

/**
 * OmniSR's channel attention (Restormer-style transposed attention) on an NCHW map of normalised
 * features: qkv (1x1) and qkv_dwconv (depthwise 3x3), no biases; within each group of pixels (a
 * window, or one position of every window) the channels of a head attend to each other by cosine
 * similarity times a learned per-head `temperature`; then project_out (1x1). Parameters under `ctx` (fn).
 */
export function channelAttention(ctx: BuildContext, x: Value, channels: number, window: number, grouping: Grouping): Value {
  const [b, , h, w] = x.shape as number[];
  const c = channels;
  const qkv = conv2d(ctx, 'qkv_dwconv', conv2d(ctx, 'qkv', x, c, 3 * c, { kernel: 1, bias: false }), 3 * c, 3 * c, { kernel: 3, groups: 3 * c, bias: false });
  const [q, k, v] = split(qkv, 1, [c, c, c]).map((t) => toChannelVectors(t, window, OMNISR_HEADS, grouping));
  const temperature = ctx.parameter('temperature', [OMNISR_HEADS, 1, 1], 1, constantInit(1));
  const scores = mul(matmul(unitVectors(q), transposeLast2(unitVectors(k))), temperature); // [groups, heads, d, d]
  const out = fromChannelVectors(matmul(softmax(scores, -1), v), window, grouping, b, h, w);
  return conv2d(ctx, 'project_out', out, c, c, { kernel: 1, bias: false });
}
