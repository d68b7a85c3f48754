import { gelu, relu, sigmoid } from '../../graph/ops/activations.js';
import { mul } from '../../graph/ops/elementwise.js';
import { reduceMean } from '../../graph/ops/reduce.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';

export interface ChannelAttentionShape {
  channels: number;
  /** The 3x3 convs work at channels / compressRatio (floored, as the reference's integer division). */
  compressRatio: number;
  /** The channel attention squeezes to channels / squeezeFactor (floored). */
  squeezeFactor: number;
}

/** Channels of a layer the reference sizes by `channels // ratio`. */
export const reducedChannels = (channels: number, ratio: number): number => Math.floor(channels / ratio);

/**
 * HAT's channel-attention block (CAB) on NCHW `x`, under `cab`: conv 3x3 down to channels/compress -> GELU
 * -> conv 3x3 back, then RCAN's channel attention (`3.attention`): global average -> 1x1 squeeze -> ReLU
 * -> 1x1 -> sigmoid, a gate per channel. The convs see beyond the window, which is what HAT adds to Swin.
 */
export function channelAttentionBlock(ctx: BuildContext, x: Value, s: ChannelAttentionShape): Value {
  const cab = ctx.child('cab');
  const c = s.channels;
  const hidden = reducedChannels(c, s.compressRatio);
  const features = conv2d(cab, '2', gelu(conv2d(cab, '0', x, c, hidden, { kernel: 3 })), hidden, c, { kernel: 3 });
  const attention = cab.child('3').child('attention');
  const squeezed = reducedChannels(c, s.squeezeFactor);
  const pooled = reduceMean(features, [2, 3], true);
  const gate = sigmoid(conv2d(attention, '3', relu(conv2d(attention, '1', pooled, c, squeezed, { kernel: 1 })), squeezed, c, { kernel: 1 }));
  return mul(features, gate);
}
