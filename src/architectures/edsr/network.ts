import { relu } from '../../graph/ops/activations.js';
import { add, div, mul, sub } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { pixelShuffleStages } from '../architecture.js';

export interface EDSROptions {
  features?: number;
  blocks?: number;
  /** Scale of each residual before it is added: 0.1 for the paper's large model (256 features), 1 otherwise. */
  resScale?: number;
  /** The pixel range the network was trained on (inputs are mapped from [0, 1] to it): 255 for the published models. */
  imgRange?: number;
  /** 2^n (x2 PixelShuffle stages) or 3. */
  scale?: number;
}

/** The mean RGB of DIV2K's training pictures, subtracted from the input and added back to the output. */
export const DIV2K_RGB_MEAN = [0.4488, 0.4371, 0.404] as const;

/**
 * EDSR (Lim et al. 2017): mean shift, 3x3 head, residual blocks conv-ReLU-conv without batch norm
 * (residuals scaled by `resScale`), a conv and a global skip, PixelShuffle upsampling, 3x3 tail, mean
 * added back. RGB only. Parameter names follow BasicSR's `edsr_arch.py` (conv_first, body.N.conv1,
 * conv_after_body, upsample.K, conv_last); its mean shift works in [0, imgRange] as EDSR-PyTorch's does.
 */
export function edsr(ctx: BuildContext, x: Value, options: EDSROptions = {}): Value {
  const nf = options.features ?? 64;
  const blocks = options.blocks ?? 16;
  const resScale = options.resScale ?? 1;
  const imgRange = options.imgRange ?? 255;
  const scale = options.scale ?? 4;
  const stages = pixelShuffleStages(scale);
  if (stages.reduce((a, b) => a * b, 1) !== scale) throw new RangeError(`EDSR: scale must be a power of two or 3, got ${scale}`);
  const mean = x.graph.constant(float32Tensor([...DIV2K_RGB_MEAN], [1, 3, 1, 1]));
  const conv = { kernel: 3 };
  const head = conv2d(ctx, 'conv_first', mul(sub(x, mean), imgRange), 3, nf, conv);
  let f = head;
  for (let i = 0; i < blocks; i++) {
    const block = ctx.child('body').child(i);
    const residual = conv2d(block, 'conv2', relu(conv2d(block, 'conv1', f, nf, nf, conv)), nf, nf, conv);
    f = add(f, resScale === 1 ? residual : mul(residual, resScale));
  }
  f = add(head, conv2d(ctx, 'conv_after_body', f, nf, nf, conv));
  const upsample = ctx.child('upsample');
  stages.forEach((factor, i) => {
    // Each stage is Sequential(conv, PixelShuffle): the convs sit at the even indices.
    f = pixelShuffle(conv2d(upsample, String(2 * i), f, nf, nf * factor * factor, conv), factor);
  });
  return add(div(conv2d(ctx, 'conv_last', f, nf, 3, conv), imgRange), mean);
}
