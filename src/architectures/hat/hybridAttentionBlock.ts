import { gelu } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { linear } from '../../nn/linear.js';
import { windowAttention, type WindowAttentionShape } from '../swinir/windowAttention.js';
import { channelAttentionBlock, type ChannelAttentionShape } from './channelAttentionBlock.js';
import { toPicture, toTokens, tokenNorm } from '../tokens.js';

/** Hidden width of an MLP: int(channels * ratio) as the reference writes it (the epsilon absorbs a ratio read back as fc1 / channels). */
export const mlpHidden = (channels: number, ratio: number): number => Math.floor(channels * ratio + 1e-9);

/** LayerNorm -> fc1 -> GELU -> fc2 under `mlp`, the MLP half of a transformer block, added to `tokens`. */
export function mlpResidual(ctx: BuildContext, tokens: Value, channels: number, ratio: number): Value {
  const hidden = mlpHidden(channels, ratio);
  const mlp = ctx.child('mlp');
  return add(tokens, linear(mlp, 'fc2', gelu(linear(mlp, 'fc1', tokenNorm(ctx, 'norm2', tokens, channels), channels, hidden)), hidden, channels));
}

export interface HybridAttentionShape extends WindowAttentionShape, ChannelAttentionShape {
  mlpRatio: number;
  /** The weight of the conv branch against the attention (0.01 in every released model; not in the file). */
  convScale: number;
}

/**
 * HAT's hybrid attention block (HAB) on tokens [B*H*W, C]: after norm1, (shifted) window attention and, in
 * parallel on the same normalised picture, the channel-attention conv branch `conv_block` scaled by
 * convScale, both added to the input; then the MLP. Names are the reference's.
 */
export function hybridAttentionBlock(ctx: BuildContext, tokens: Value, s: HybridAttentionShape): Value {
  const normed = tokenNorm(ctx, 'norm1', tokens, s.channels);
  const attended = windowAttention(ctx.child('attn'), normed, s);
  const conv = toTokens(channelAttentionBlock(ctx.child('conv_block'), toPicture(normed, s.batch, s.height, s.width), s));
  return mlpResidual(ctx, add(add(tokens, attended), mul(conv, s.convScale)), s.channels, s.mlpRatio);
}
