import { sigmoid } from '../../graph/ops/activations.js';
import { add, div, mul, sqrt } from '../../graph/ops/elementwise.js';
import { matmul, transposeLast2 } from '../../graph/ops/matmul.js';
import { reduceSum } from '../../graph/ops/reduce.js';
import { softmax } from '../../graph/ops/softmax.js';
import { reshape, split, transpose } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { constantInit } from '../../nn/init.js';
import { linear } from '../../nn/linear.js';
import { channelMap, convBranch, spatialMap } from './interaction.js';
import { toPicture, toTokens } from '../tokens.js';

export interface ChannelAttentionShape {
  batch: number;
  height: number;
  width: number;
  channels: number;
  heads: number;
  qkvBias: boolean;
}

/** x over the L2 norm of its last axis (F.normalize; the 1e-24 under the root stands in for its 1e-12 floor on the norm). */
function l2Normalised(x: Value): Value {
  return div(x, sqrt(add(reduceSum(mul(x, x), [x.rank - 1], true), 1e-24)));
}

/**
 * DAT's adaptive channel attention (XCiT's transposed attention) on tokens [B*H*W, C]: per head, the
 * d x d attention between channels of L2-normalised q and k over all pixels, times a learned
 * `temperature` [heads, 1, 1]; beside it the conv branch on V; the conv branch's spatial map gates
 * the attention, the attention's channel map gates the conv branch; proj.
 */
export function adaptiveChannelAttention(ctx: BuildContext, tokens: Value, s: ChannelAttentionShape): Value {
  const { batch: b, height: h, width: w, channels: c, heads } = s;
  const n = h * w;
  const headDim = c / heads;
  const qkv = reshape(linear(ctx, 'qkv', tokens, c, 3 * c, s.qkvBias), [b, n, 3, heads, headDim]);
  const [q, k, v] = split(transpose(qkv, [2, 0, 3, 4, 1]), 0, [1, 1, 1]).map((t) => reshape(t, [b, heads, headDim, n]));
  const temperature = ctx.parameter('temperature', [heads, 1, 1], 1, constantInit(1));
  const scores = mul(matmul(l2Normalised(q), transposeLast2(l2Normalised(k))), temperature); // [B, heads, d, d]
  const attended = reshape(transpose(matmul(softmax(scores, -1), v), [0, 3, 1, 2]), [b * n, c]);
  const conv = convBranch(ctx, reshape(v, [b, c, h, w]), c);
  const spatialGate = reshape(sigmoid(spatialMap(ctx, conv, c)), [b * n, 1]);
  const channelGate = sigmoid(channelMap(ctx, toPicture(attended, b, h, w), c));
  return linear(ctx, 'proj', add(mul(attended, spatialGate), toTokens(mul(conv, channelGate))), c, c);
}
