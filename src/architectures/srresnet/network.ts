import { add } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import type { Value } from '../../graph/value.js';
import { batchNorm2d } from '../../nn/batchNorm2d.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { prelu } from '../../nn/prelu.js';

export interface SRResNetOptions {
  features?: number;
  blocks?: number;
  /** 2, 4 or 8: one PixelShuffle x2 stage per factor of two. */
  scale?: number;
  channels?: number;
}

/**
 * SRResNet, the SRGAN generator (Ledig et al. 2017): 9x9 head with PReLU, residual blocks of
 * conv-BN-PReLU-conv-BN, a global skip, PixelShuffle x2 stages with PReLU, 9x9 tail. Parameter names
 * follow the PyTorch reference in ../shared/peers/scripts/torch_ref.py.
 */
export function srresnet(ctx: BuildContext, x: Value, options: SRResNetOptions = {}): Value {
  const nf = options.features ?? 64;
  const blocks = options.blocks ?? 16;
  const scale = options.scale ?? 4;
  const channels = options.channels ?? 3;
  const head = ctx.child('head');
  const h = prelu(head, '1', conv2d(head, '0', x, channels, nf, { kernel: 9 }));
  let f = h;
  for (let i = 0; i < blocks; i++) {
    const block = ctx.child('body').child(i);
    let r = conv2d(block, 'c1', f, nf, nf, { kernel: 3 });
    r = prelu(block, 'act', batchNorm2d(block, 'b1', r, nf));
    r = batchNorm2d(block, 'b2', conv2d(block, 'c2', r, nf, nf, { kernel: 3 }), nf);
    f = add(f, r);
  }
  const tail = ctx.child('body_tail');
  f = add(h, batchNorm2d(tail, '1', conv2d(tail, '0', f, nf, nf, { kernel: 3 }), nf));
  const up = ctx.child('up');
  const stages = Math.round(Math.log2(scale));
  if (2 ** stages !== scale) throw new RangeError(`SRResNet: scale must be a power of two, got ${scale}`);
  for (let s = 0; s < stages; s++) {
    f = prelu(up, String(3 * s + 2), pixelShuffle(conv2d(up, String(3 * s), f, nf, nf * 4, { kernel: 3 }), 2));
  }
  return conv2d(ctx, 'tail', f, nf, channels, { kernel: 9 });
}
