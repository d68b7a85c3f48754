import { leakyRelu } from '../../graph/ops/activations.js';
import { add } from '../../graph/ops/elementwise.js';
import { resizeBilinear } from '../../graph/ops/resize.js';
import { formatShape } from '../../graph/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../buildContext.js';
import { conv2d } from '../conv2d.js';
import { spectralConv2d } from '../spectralNorm.js';

export interface UNetDiscriminatorOptions {
  channels?: number;
  features?: number;
  /** Add each encoder level to the decoder level of the same size (Real-ESRGAN's default). */
  skipConnection?: boolean;
}

const SLOPE = 0.2;

/**
 * Real-ESRGAN's UNetDiscriminatorSN (Wang et al. 2021): a U-Net that judges every pixel, giving an
 * [N, 1, H, W] map of raw logits. Three 4x4 stride-2 convs down, three bilinear x2 + 3x3 convs up with
 * skip additions, two more 3x3 convs and a 3x3 conv to one channel; every conv but the first and the
 * last is spectrally normalised, LeakyReLU(0.2) after all but the last. BasicSR's names (conv0 ...
 * conv9, `convN.weight_orig` / `weight_u` / `weight_v`), so Real-ESRGAN's `net_d` checkpoints load.
 * Height and width must be static multiples of 8.
 */
export function unetDiscriminator(ctx: BuildContext, x: Value, options: UNetDiscriminatorOptions = {}): Value {
  const nf = options.features ?? 64;
  const channels = options.channels ?? 3;
  const skip = options.skipConnection ?? true;
  const [, c, h, w] = x.shape;
  if (c !== channels || typeof h !== 'number' || typeof w !== 'number' || h % 8 !== 0 || w % 8 !== 0) {
    throw new RangeError(`UNetDiscriminator: expects [N, ${channels}, H, W] with static H and W multiples of 8, got ${formatShape(x.shape)}`);
  }
  const down = (name: string, input: Value, from: number, to: number) =>
    leakyRelu(spectralConv2d(ctx, name, input, from, to, { kernel: 4, stride: 2, padding: 1, bias: false }), SLOPE);
  const conv3 = (name: string, input: Value, from: number, to: number) =>
    leakyRelu(spectralConv2d(ctx, name, input, from, to, { kernel: 3, bias: false }), SLOPE);
  const join = (decoded: Value, encoded: Value) => (skip ? add(decoded, encoded) : decoded);

  const x0 = leakyRelu(conv2d(ctx, 'conv0', x, channels, nf, { kernel: 3 }), SLOPE);
  const x1 = down('conv1', x0, nf, nf * 2);
  const x2 = down('conv2', x1, nf * 2, nf * 4);
  const x3 = down('conv3', x2, nf * 4, nf * 8);
  const x4 = join(conv3('conv4', resizeBilinear(x3, 2), nf * 8, nf * 4), x2);
  const x5 = join(conv3('conv5', resizeBilinear(x4, 2), nf * 4, nf * 2), x1);
  const x6 = join(conv3('conv6', resizeBilinear(x5, 2), nf * 2, nf), x0);
  const out = conv3('conv8', conv3('conv7', x6, nf, nf), nf, nf);
  return conv2d(ctx, 'conv9', out, nf, 1, { kernel: 3 });
}
