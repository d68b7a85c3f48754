import { leakyRelu } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { pixelUnshuffle } from '../../graph/ops/pixelShuffle.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import { conv } from '../../graph/ops/conv.js';
import { concat } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { kaimingNormal } from '../../nn/init.js';

export interface RRDBNetOptions {
  features?: number;
  blocks?: number;
  growth?: number;
  /** 1, 2 or 4 with the default two upsampling stages (x1 and x2 pixel-unshuffle the input first, as Real-ESRGAN does). */
  scale?: number;
  channels?: number;
  /**
   * Number of nearest x2 + conv stages (conv_up1, conv_up2, ...); default 2. The input is
   * pixel-unshuffled by 2^upsamplings / scale, so ESRGAN's x1 (none), x2 (one) and x8 (three)
   * community models build too.
   */
  upsamplings?: number;
}

const lrelu = (x: Value) => leakyRelu(x, 0.2);

/**
 * `x * 0.2` for the RRDB-level residual. In an evaluation graph it is written as a depthwise 1x1 conv
 * with weights 0.2 (the same arithmetic): onnxruntime runs convs in its blocked NCHWc layout, and a Mul
 * by a scalar between two blocked convs forces a conversion to plain NCHW and back at every block (23
 * pairs in RealESRGAN_x4plus, ~8% of its inference time at 256x256); the conv stays blocked and its Add
 * fuses into it. Training keeps the Mul (one op, one gradient).
 */
function residualScale(ctx: BuildContext, x: Value, channels: number): Value {
  if (ctx.training) return mul(x, 0.2);
  const weight = ctx.graph.constant({ dtype: 'float32', shape: [channels, 1, 1, 1], data: new Float32Array(channels).fill(0.2) });
  return conv(x, weight, undefined, { group: channels });
}

/** Residual dense block: five 3x3 convs, each seeing all earlier features; output scaled by 0.2 and added. */
function residualDenseBlock(ctx: BuildContext, x: Value, nf: number, gc: number): Value {
  const init = kaimingNormal(0.1);
  const features = [x];
  // One conv over the concatenation, as trained. Measured against a sum of one conv per part (which
  // stays in onnxruntime's blocked layout): the same run time at 256x256 with ~2 s less session set-up
  // in fp32, and 2.5x faster in int8, where QLinearConv cannot fuse partial convs.
  const denseConv = (name: string, out: number) => conv2d(ctx, name, concat(features, 1), nf + (features.length - 1) * gc, out, { kernel: 3, init });
  for (let i = 1; i <= 4; i++) features.push(lrelu(denseConv(`conv${i}`, gc)));
  return add(x, mul(denseConv('conv5', nf), 0.2));
}

/**
 * RRDBNet, the ESRGAN generator (Wang et al. 2018): residual-in-residual dense blocks without batch
 * norm, residual scaling 0.2, nearest x2 + conv upsampling twice, LeakyReLU 0.2. Parameter names follow
 * BasicSR's `rrdbnet_arch.py` (conv_first, body.N.rdb1.conv1, conv_body, conv_up1, ...), the layout
 * of Real-ESRGAN's released weights.
 */
export function rrdbnet(ctx: BuildContext, x: Value, options: RRDBNetOptions = {}): Value {
  const nf = options.features ?? 64;
  const blocks = options.blocks ?? 23;
  const gc = options.growth ?? 32;
  const scale = options.scale ?? 4;
  const channels = options.channels ?? 3;
  const upsamplings = options.upsamplings ?? 2;
  const unshuffle = 2 ** upsamplings / scale;
  if (!Number.isInteger(upsamplings) || upsamplings < 0 || !Number.isInteger(unshuffle) || unshuffle < 1) {
    throw new RangeError(`RRDBNet: x${scale} cannot be made by ${upsamplings} x2 upsampling stages after a pixel-unshuffled input`);
  }
  const input = unshuffle > 1 ? pixelUnshuffle(x, unshuffle) : x;
  const feat = conv2d(ctx, 'conv_first', input, channels * unshuffle * unshuffle, nf, { kernel: 3 });
  let body = feat;
  for (let i = 0; i < blocks; i++) {
    const block = ctx.child('body').child(i);
    let out = body;
    for (const rdb of ['rdb1', 'rdb2', 'rdb3']) out = residualDenseBlock(block.child(rdb), out, nf, gc);
    body = add(body, residualScale(ctx, out, nf));
  }
  let f = add(feat, conv2d(ctx, 'conv_body', body, nf, nf, { kernel: 3 }));
  for (let i = 1; i <= upsamplings; i++) f = lrelu(conv2d(ctx, `conv_up${i}`, resizeNearest(f, [2, 2]), nf, nf, { kernel: 3 }));
  return conv2d(ctx, 'conv_last', lrelu(conv2d(ctx, 'conv_hr', f, nf, nf, { kernel: 3 })), nf, channels, { kernel: 3 });
}
