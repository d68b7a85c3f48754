import { add } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { prelu } from '../../nn/prelu.js';

export interface SRVGGCompactOptions {
  features?: number;
  /** Number of 3x3 convs between the first and the last. */
  convs?: number;
  scale?: number;
  channels?: number;
}

/**
 * A plain VGG-style SR network: conv + PReLU, `convs` x (conv + PReLU) at low resolution, one conv to
 * channels * scale^2, PixelShuffle, plus the nearest-upsampled input. Real-ESRGAN's SRVGGNetCompact
 * layout and parameter names (body.0 first conv, body.1 its PReLU, ..., last conv), so its released
 * weights load as they are. Chosen as our CPU default: all work happens at low resolution in 3x3
 * convs, the fastest kernel of every runtime.
 */
export function srvggCompact(ctx: BuildContext, x: Value, options: SRVGGCompactOptions = {}): Value {
  const nf = options.features ?? 48;
  const convs = options.convs ?? 10;
  const scale = options.scale ?? 4;
  const channels = options.channels ?? 3;
  const body = ctx.child('body');
  let index = 0;
  let f = prelu(body, String(index + 1), conv2d(body, String(index), x, channels, nf, { kernel: 3 }), nf);
  index += 2;
  for (let i = 0; i < convs; i++, index += 2) {
    f = prelu(body, String(index + 1), conv2d(body, String(index), f, nf, nf, { kernel: 3 }), nf);
  }
  const out = pixelShuffle(conv2d(body, String(index), f, nf, channels * scale * scale, { kernel: 3 }), scale);
  return add(out, resizeNearest(x, [scale, scale]));
}
