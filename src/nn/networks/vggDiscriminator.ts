import { leakyRelu } from '../../graph/ops/activations.js';
import { flatten } from '../../graph/ops/shape.js';
import { formatShape } from '../../graph/shape.js';
import type { Value } from '../../graph/value.js';
import { batchNorm2d } from '../batchNorm2d.js';
import type { BuildContext } from '../buildContext.js';
import { conv2d } from '../conv2d.js';
import { linear } from '../linear.js';

/**
 * 'esrgan': BasicSR's VGGStyleDiscriminator (ESRGAN, Real-ESRGAN's first stage), 4x4 stride-2 convs,
 * five halvings (six at 256x256), dense head of 100. 'srgan': Ledig et al. 2017, Figure 4: eight 3x3
 * convs k3n64s1 ... k3n512s2, four halvings, dense head of 1024.
 */
export type VGGDiscriminatorLayout = 'esrgan' | 'srgan';

export interface VGGDiscriminatorOptions {
  layout?: VGGDiscriminatorLayout;
  /** Height and width of the (square) patches it judges; the dense head's size depends on it. Default 128 ('esrgan'), 96 ('srgan'). */
  inputSize?: number;
  channels?: number;
  /** Width of the first stage; later stages double it up to 8x. */
  features?: number;
  /** Batch norm after every conv but the first (both papers). Turn it off for WGAN-GP, whose penalty is per sample. */
  batchNorm?: boolean;
  /** Width of the hidden dense layer. Default 100 ('esrgan'), 1024 ('srgan'). */
  denseFeatures?: number;
}

interface Layout {
  downKernel: number;
  /** Stage widths as multiples of `features`, for an input of `size`. */
  widths: (size: number) => number[];
  inputSize: number;
  denseFeatures: number;
}

const LAYOUTS: Record<VGGDiscriminatorLayout, Layout> = {
  esrgan: { downKernel: 4, widths: (size) => (size === 256 ? [1, 2, 4, 8, 8, 8] : [1, 2, 4, 8, 8]), inputSize: 128, denseFeatures: 100 },
  srgan: { downKernel: 3, widths: () => [1, 2, 4, 8], inputSize: 96, denseFeatures: 1024 },
};

const SLOPE = 0.2;

/**
 * A VGG-style discriminator: conv3x3 + LeakyReLU(0.2), then per stage a 3x3 stride-1 conv and a strided
 * conv that halves the size, each with batch norm and LeakyReLU, then dense -> LeakyReLU -> dense to one
 * raw logit per image ([N, 1]; the losses apply the sigmoid). Parameter names are BasicSR's
 * (conv0_0, conv0_1, bn0_1, conv1_0, bn1_0, ..., linear1, linear2) in both layouts, so BasicSR's
 * `net_d` checkpoints load as they are. Convs followed by batch norm have no bias, as in BasicSR.
 */
export function vggDiscriminator(ctx: BuildContext, x: Value, options: VGGDiscriminatorOptions = {}): Value {
  const layout = LAYOUTS[options.layout ?? 'esrgan'];
  const size = options.inputSize ?? layout.inputSize;
  const nf = options.features ?? 64;
  const channels = options.channels ?? 3;
  const normalize = options.batchNorm ?? true;
  const widths = layout.widths(size).map((w) => w * nf);
  const headSize = size / 2 ** widths.length;
  if (!Number.isInteger(headSize) || headSize < 1) {
    throw new RangeError(`VGGDiscriminator: the input size ${size} must be a multiple of ${2 ** widths.length}`);
  }
  if (x.shape[1] !== channels || x.shape[2] !== size || x.shape[3] !== size) {
    throw new RangeError(`VGGDiscriminator: expects [N, ${channels}, ${size}, ${size}] patches, got ${formatShape(x.shape)}`);
  }

  const block = (name: string, input: Value, from: number, to: number, kernel: number, stride: number): Value => {
    const y = conv2d(ctx, `conv${name}`, input, from, to, { kernel, stride, padding: 1, bias: !normalize });
    return leakyRelu(normalize ? batchNorm2d(ctx, `bn${name}`, y, to) : y, SLOPE);
  };
  let f = leakyRelu(conv2d(ctx, 'conv0_0', x, channels, nf, { kernel: 3 }), SLOPE);
  f = block('0_1', f, nf, nf, layout.downKernel, 2);
  for (let stage = 1; stage < widths.length; stage++) {
    f = block(`${stage}_0`, f, widths[stage - 1], widths[stage], 3, 1);
    f = block(`${stage}_1`, f, widths[stage], widths[stage], layout.downKernel, 2);
  }
  const hidden = options.denseFeatures ?? layout.denseFeatures;
  const features = widths[widths.length - 1] * headSize * headSize;
  f = leakyRelu(linear(ctx, 'linear1', flatten(f, 1), features, hidden), SLOPE);
  return linear(ctx, 'linear2', f, hidden, 1);
}
