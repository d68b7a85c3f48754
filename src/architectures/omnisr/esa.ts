import { sigmoid } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { maxPoolOverlapping } from '../../graph/ops/maxPoolOverlapping.js';
import { resizeBilinearTo } from '../../graph/ops/resizeBilinearTo.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';

/** ESA's branch: 3x3 at stride 2, then a 7x7 max pool at stride 3: a side of at least 15 pixels. */
export const ESA_MINIMUM_SIDE = 15;

/** ESA's width: a quarter of the features, at least 16. */
export const esaChannels = (features: number): number => Math.max(Math.floor(features / 4), 16);

/**
 * Enhanced spatial attention (Liu et al., RFANet 2020) as OmniSR trims it: a sigmoid mask over the
 * features from a branch that shrinks the map (conv1 1x1, conv2 3x3 stride 2 unpadded, max pool 7 at
 * stride 3, conv3 3x3), enlarges it back bilinearly and adds a 1x1 shortcut (conv_f) before conv4.
 * The pooled cells cover the whole picture, so the mask depends on the picture size.
 */
export function enhancedSpatialAttention(ctx: BuildContext, x: Value, features: number): Value {
  const [, , h, w] = x.shape as number[];
  if (h < ESA_MINIMUM_SIDE || w < ESA_MINIMUM_SIDE) throw new RangeError(`OmniSR: ESA needs a picture of at least ${ESA_MINIMUM_SIDE}x${ESA_MINIMUM_SIDE}, got ${h}x${w}`);
  const f = esaChannels(features);
  const reduced = conv2d(ctx, 'conv1', x, features, f, { kernel: 1 });
  const strided = conv2d(ctx, 'conv2', reduced, f, f, { kernel: 3, stride: 2, padding: 0 });
  const pooled = conv2d(ctx, 'conv3', maxPoolOverlapping(strided, 7, 3), f, f, { kernel: 3 });
  const mask = sigmoid(conv2d(ctx, 'conv4', add(resizeBilinearTo(pooled, [h, w]), conv2d(ctx, 'conv_f', reduced, f, f, { kernel: 1 })), f, features, { kernel: 1 }));
  return mul(x, mask);
}
