import { sigmoid } from '../../graph/ops/activations.js';
import { conv } from '../../graph/ops/conv.js';
import { add, mul, sub } from '../../graph/ops/elementwise.js';
import { matmul } from '../../graph/ops/matmul.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { reduceSum } from '../../graph/ops/reduce.js';
import { concat, reshape, transpose } from '../../graph/ops/shape.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { pytorchDefault } from '../../nn/init.js';
import { DIV2K_RGB_MEAN } from '../edsr/network.js';

export interface SPANOptions {
  features?: number;
  scale?: number;
  /** Shift the input by the DIV2K mean and multiply it by 255 (the published models); the output is never shifted back. */
  normalise?: boolean;
}

/** SPAN's blocks are always six. */
export const SPAN_BLOCKS = 6;

/** The gain of a Conv3XC's training branch: its hidden convs are twice as wide. */
const GAIN = 2;

const silu = (x: Value): Value => mul(x, sigmoid(x));

/** A 1x1 conv weight [out, in, 1, 1] as a matrix [out, in]. */
const asMatrix = (w: Value): Value => reshape(w, [w.shape[0] as number, w.shape[1] as number]);

/**
 * SPAN's Conv3XC as one 3x3 conv. Its parameters are the re-parameterisation's branches (`sk`, a 1x1
 * skip; `conv.0` 1x1 -> `conv.1` 3x3 -> `conv.2` 1x1, twice as wide inside); the conv it runs has the
 * kernel the branches compose to, computed in the graph from them: gradients reach the branches, so
 * the same graph trains, and an evaluation graph's kernel is folded to a constant by onnxruntime. A
 * file's stored `eval_conv` (the fused kernel, possibly stale) is never used.
 *
 *   W[o, i] = w3 · w2[:, :, y, x] · w1 + (centre tap) sk      b = w3 (Σ_yx w2 · b1 + b2) + b3 + b_sk
 */
function conv3xc(ctx: BuildContext, name: string, x: Value, inChannels: number, outChannels: number): Value {
  const scope = ctx.child(name);
  const weight = (key: string, shape: number[]) => scope.parameter(`${key}.weight`, shape, shape.slice(1).reduce((a, b) => a * b, 1), pytorchDefault);
  const bias = (key: string, size: number, fanIn: number) => scope.parameter(`${key}.bias`, [size], fanIn, pytorchDefault);
  const [mid, midOut] = [inChannels * GAIN, outChannels * GAIN];
  const w1 = asMatrix(weight('conv.0', [mid, inChannels, 1, 1]));
  const b1 = bias('conv.0', mid, inChannels);
  const w2 = weight('conv.1', [midOut, mid, 3, 3]);
  const b2 = bias('conv.1', midOut, mid * 9);
  const w3 = asMatrix(weight('conv.2', [outChannels, midOut, 1, 1]));
  const b3 = bias('conv.2', outChannels, midOut);
  const sk = weight('sk', [outChannels, inChannels, 1, 1]);
  const bsk = bias('sk', outChannels, inChannels);

  // [3, 3, midOut, mid] taps: each a matrix, composed with the two 1x1s by batched products.
  const taps = transpose(w2, [2, 3, 0, 1]);
  const composed = transpose(matmul(matmul(w3, taps), w1), [2, 3, 0, 1]); // [out, in, 3, 3]
  const centre = x.graph.constant(float32Tensor([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 3, 3]));
  const kernel = add(composed, mul(sk, centre));
  // Σ over the taps of w2 applied to b1, then through w3.
  const b2Total = add(reshape(matmul(reduceSum(w2, [2, 3]), reshape(b1, [mid, 1])), [midOut]), b2);
  const biasTotal = add(add(reshape(matmul(w3, reshape(b2Total, [midOut, 1])), [outChannels]), b3), bsk);
  return conv(x, kernel, biasTotal, { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 });
}

/** Swift parameter-free attention block: three Conv3XC with SiLU between, gated by sigmoid(out) - 1/2. */
function spab(ctx: BuildContext, x: Value, features: number): { out: Value; first: Value } {
  const first = conv3xc(ctx, 'c1_r', x, features, features);
  const second = conv3xc(ctx, 'c2_r', silu(first), features, features);
  const third = conv3xc(ctx, 'c3_r', silu(second), features, features);
  const attention = sub(sigmoid(third), 0.5);
  return { out: mul(add(third, x), attention), first };
}

/**
 * SPAN (Wan et al. 2024, "Swift Parameter-free Attention Network for Efficient Super-Resolution",
 * NTIRE 2024 efficient SR winner): a Conv3XC head, six SPABs, a Conv3XC, a 1x1 conv over the
 * concatenation of [head, last block, first block, the last block's first conv], then 3x3 conv +
 * PixelShuffle. Parameter names are the reference implementation's, so its released files load as they are.
 */
export function span(ctx: BuildContext, x: Value, options: SPANOptions = {}): Value {
  const nf = options.features ?? 48;
  const scale = options.scale ?? 4;
  const channels = 3;
  let input = x;
  if (options.normalise ?? true) input = mul(sub(x, x.graph.constant(float32Tensor([...DIV2K_RGB_MEAN], [1, 3, 1, 1]))), 255);
  const head = conv3xc(ctx, 'conv_1', input, channels, nf);
  let f = head;
  let firstBlock: Value | undefined;
  let lastFirst: Value | undefined;
  for (let i = 1; i <= SPAN_BLOCKS; i++) {
    const { out, first } = spab(ctx.child(`block_${i}`), f, nf);
    if (i === 1) firstBlock = out;
    if (i === SPAN_BLOCKS) lastFirst = first;
    f = out;
  }
  const tail = conv3xc(ctx, 'conv_2', f, nf, nf);
  const merged = conv2d(ctx, 'conv_cat', concat([head, tail, firstBlock!, lastFirst!], 1), 4 * nf, nf, { kernel: 1 });
  return pixelShuffle(conv2d(ctx.child('upsampler'), '0', merged, nf, channels * scale * scale, { kernel: 3 }), scale);
}
