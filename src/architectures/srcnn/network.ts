import { relu } from '../../graph/ops/activations.js';
import { resizeBicubic } from '../../graph/ops/resizeCubic.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';

export interface SRCNNOptions {
  /** Kernel sizes of the three layers: 9-5-5 (default) or 9-1-5 as in the paper. */
  kernels?: [number, number, number];
  features?: [number, number];
  channels?: number;
  scale?: number;
}

/**
 * SRCNN (Dong et al. 2014/2016): on the bicubic-enlarged image, patch extraction (9x9, 64), non-linear
 * mapping (5x5 or 1x1, 32), reconstruction (5x5). ReLU between layers; size-preserving padding (the
 * paper's valid convolutions shrink the output, which SR pipelines pad instead).
 */
export function srcnn(ctx: BuildContext, x: Value, options: SRCNNOptions = {}): Value {
  const [k1, k2, k3] = options.kernels ?? [9, 5, 5];
  const [f1, f2] = options.features ?? [64, 32];
  const channels = options.channels ?? 3;
  const scale = options.scale ?? 4;
  const upscaled = scale === 1 ? x : resizeBicubic(x, scale);
  const h1 = relu(conv2d(ctx, 'conv1', upscaled, channels, f1, { kernel: k1 }));
  const h2 = relu(conv2d(ctx, 'conv2', h1, f1, f2, { kernel: k2 }));
  return conv2d(ctx, 'conv3', h2, f2, channels, { kernel: k3 });
}
