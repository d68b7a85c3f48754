import { leakyRelu } from '../../graph/ops/activations.js';
import { add } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { maxPool } from '../../graph/ops/pool.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import { resizeBicubic } from '../../graph/ops/resizeCubic.js';
import { concat } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';

export interface UNetOptions {
  features?: number;
  /** Encoder levels below the top (each halves the resolution and doubles the features). */
  depth?: number;
  /** 'bicubic': run on the bicubic-enlarged image (plus a global skip); 'learned': run at LR and end with PixelShuffle. */
  upsampler?: 'bicubic' | 'learned';
  channels?: number;
  scale?: number;
}

function doubleConv(ctx: BuildContext, x: Value, inChannels: number, outChannels: number): Value {
  const a = leakyRelu(conv2d(ctx, 'conv1', x, inChannels, outChannels, { kernel: 3 }), 0.2);
  return leakyRelu(conv2d(ctx, 'conv2', a, outChannels, outChannels, { kernel: 3 }), 0.2);
}

/**
 * U-Net (Ronneberger et al. 2015) for SR: two 3x3 convs per level, max-pool down, nearest x2 + conv up,
 * encoder features concatenated into the decoder (the skip connections), residual output. Input sides
 * must be divisible by 2^depth (times the scale with the bicubic upsampler).
 */
export function unet(ctx: BuildContext, x: Value, options: UNetOptions = {}): Value {
  const nf = options.features ?? 32;
  const depth = options.depth ?? 2;
  const channels = options.channels ?? 3;
  const scale = options.scale ?? 4;
  const learned = (options.upsampler ?? 'bicubic') === 'learned';
  const base = learned ? x : resizeBicubic(x, scale);
  const skips: Value[] = [];
  let f = doubleConv(ctx.child('down').child(0), base, channels, nf);
  let width = nf;
  for (let level = 1; level <= depth; level++) {
    skips.push(f);
    f = doubleConv(ctx.child('down').child(level), maxPool(f, [2, 2]), width, width * 2);
    width *= 2;
  }
  for (let level = depth - 1; level >= 0; level--) {
    const up = ctx.child('up').child(level);
    const upsampled = leakyRelu(conv2d(up, 'upconv', resizeNearest(f, [2, 2]), width, width / 2, { kernel: 3 }), 0.2);
    width /= 2;
    f = doubleConv(up, concat([skips[level], upsampled], 1), width * 2, width);
  }
  if (!learned) return add(base, conv2d(ctx, 'conv_last', f, width, channels, { kernel: 3 }));
  const shuffled = pixelShuffle(conv2d(ctx, 'conv_last', f, width, channels * scale * scale, { kernel: 3 }), scale);
  return add(shuffled, resizeNearest(x, [scale, scale]));
}
