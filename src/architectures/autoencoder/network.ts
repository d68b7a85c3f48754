import { relu } from '../../graph/ops/activations.js';
import { add } from '../../graph/ops/elementwise.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import { resizeBicubic } from '../../graph/ops/resizeCubic.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';

export interface AutoencoderOptions {
  features?: number;
  /** Number of stride-2 downsamplings (and as many upsamplings). */
  depth?: number;
  channels?: number;
  scale?: number;
}

/**
 * A convolutional encoder-decoder on the bicubic-enlarged image: the encoder halves the resolution
 * `depth` times with stride-2 convs while doubling features, the decoder restores it with nearest x2 +
 * conv, and the output is added to the bicubic input. Unlike the U-Net there are no skip connections
 * between encoder and decoder, so everything passes through the bottleneck. Input sides must be
 * divisible by scale * 2^depth.
 */
export function autoencoder(ctx: BuildContext, x: Value, options: AutoencoderOptions = {}): Value {
  const nf = options.features ?? 32;
  const depth = options.depth ?? 2;
  const channels = options.channels ?? 3;
  const scale = options.scale ?? 4;
  const upscaled = resizeBicubic(x, scale);
  const encoder = ctx.child('encoder');
  let f = relu(conv2d(encoder, '0', upscaled, channels, nf, { kernel: 3 }));
  let width = nf;
  for (let i = 1; i <= depth; i++) {
    f = relu(conv2d(encoder, String(i), f, width, width * 2, { kernel: 3, stride: 2, padding: 1 }));
    width *= 2;
  }
  const decoder = ctx.child('decoder');
  for (let i = 0; i < depth; i++) {
    f = relu(conv2d(decoder, String(i), resizeNearest(f, [2, 2]), width, width / 2, { kernel: 3 }));
    width /= 2;
  }
  return add(upscaled, conv2d(decoder, String(depth), f, width, channels, { kernel: 3 }));
}
