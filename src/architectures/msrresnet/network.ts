import { leakyRelu, relu } from '../../graph/ops/activations.js';
import { add } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { resizeLinear } from '../../graph/ops/resizeLinear.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { kaimingNormal } from '../../nn/init.js';

export interface MSRResNetOptions {
  features?: number;
  blocks?: number;
  /** 2, 3 (one PixelShuffle stage) or 4 (two x2 stages). */
  scale?: number;
  channels?: number;
}

const lrelu = (x: Value) => leakyRelu(x, 0.1);

/**
 * MSRResNet, BasicSR's modified SRResNet: SRResNet without batch norm (residual blocks conv-ReLU-conv,
 * no global skip), LeakyReLU 0.1, PixelShuffle upsampling, plus the bilinear-enlarged input.
 * Parameter names and initialisation (Kaiming normal x 0.1) follow BasicSR's `srresnet_arch.py`, so
 * its released weights load as they are.
 */
export function msrresnet(ctx: BuildContext, x: Value, options: MSRResNetOptions = {}): Value {
  const nf = options.features ?? 64;
  const blocks = options.blocks ?? 16;
  const scale = options.scale ?? 4;
  const channels = options.channels ?? 3;
  if (![2, 3, 4].includes(scale)) throw new RangeError(`MSRResNet: scale must be 2, 3 or 4, got ${scale}`);
  const conv = { kernel: 3, init: kaimingNormal(0.1) };
  let f = lrelu(conv2d(ctx, 'conv_first', x, channels, nf, conv));
  for (let i = 0; i < blocks; i++) {
    const block = ctx.child('body').child(i);
    f = add(f, conv2d(block, 'conv2', relu(conv2d(block, 'conv1', f, nf, nf, conv)), nf, nf, conv));
  }
  const stages = scale === 4 ? [2, 2] : [scale];
  stages.forEach((factor, i) => {
    f = lrelu(pixelShuffle(conv2d(ctx, `upconv${i + 1}`, f, nf, nf * factor * factor, conv), factor));
  });
  const out = conv2d(ctx, 'conv_last', lrelu(conv2d(ctx, 'conv_hr', f, nf, nf, conv)), nf, channels, conv);
  return add(out, resizeLinear(x, scale));
}
