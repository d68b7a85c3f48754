import { leakyRelu } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { pixelUnshuffle } from '../../graph/ops/pixelShuffle.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import { conv } from '../../graph/ops/conv.js';
import { concat, slice } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../buildContext.js';
import { conv2d } from '../conv2d.js';
import { kaimingNormal, type Initializer } from '../init.js';

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
 * A 3x3 conv over the channel concatenation of `parts`, written as the sum of one conv per part with
 * the matching slice of the weight (the same parameters and the same arithmetic). For inference:
 * onnxruntime runs convs in its blocked NCHWc layout but Concat only in plain NCHW, so the concatenated
 * form converts every dense block's features back and forth (a fifth of RRDBNet's inference time);
 * sums of convs stay blocked (the adds fuse into the convs).
 */
function convOverParts(ctx: BuildContext, name: string, parts: readonly Value[], partChannels: readonly number[], out: number, init: Initializer): Value {
  const inChannels = partChannels.reduce((a, b) => a + b, 0);
  const scope = ctx.child(name);
  const weight = scope.parameter('weight', [out, inChannels, 3, 3], inChannels * 9, init);
  const bias = scope.parameter('bias', [out], inChannels * 9, (size) => new Float32Array(size));
  let start = 0;
  let sum: Value | undefined;
  parts.forEach((part, j) => {
    const w = slice(weight, [start], [start + partChannels[j]], [1]);
    start += partChannels[j];
    const y = conv(part, w, j === 0 ? bias : undefined, { pads: [1, 1, 1, 1] });
    sum = sum ? add(sum, y) : y;
  });
  return sum!;
}

/** Residual dense block: five 3x3 convs, each seeing all earlier features; output scaled by 0.2 and added. */
function residualDenseBlock(ctx: BuildContext, x: Value, nf: number, gc: number): Value {
  const init = kaimingNormal(0.1);
  const features = [x];
  const channels = [nf];
  // Training keeps the concatenated form: its gradient graph measured faster that way.
  const denseConv = (name: string, out: number) =>
    ctx.training ? conv2d(ctx, name, concat(features, 1), channels.reduce((a, b) => a + b, 0), out, { kernel: 3, init }) : convOverParts(ctx, name, features, channels, out, init);
  for (let i = 1; i <= 4; i++) {
    features.push(lrelu(denseConv(`conv${i}`, gc)));
    channels.push(gc);
  }
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
    body = add(body, mul(out, 0.2));
  }
  let f = add(feat, conv2d(ctx, 'conv_body', body, nf, nf, { kernel: 3 }));
  for (let i = 1; i <= upsamplings; i++) f = lrelu(conv2d(ctx, `conv_up${i}`, resizeNearest(f, [2, 2]), nf, nf, { kernel: 3 }));
  return conv2d(ctx, 'conv_last', lrelu(conv2d(ctx, 'conv_hr', f, nf, nf, { kernel: 3 })), nf, channels, { kernel: 3 });
}
