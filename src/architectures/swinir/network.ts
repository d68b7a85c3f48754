import { gelu, leakyRelu } from '../../graph/ops/activations.js';
import { add, div, mul, sub } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { linear } from '../../nn/linear.js';
import { pixelShuffleStages } from '../architecture.js';
import { DIV2K_RGB_MEAN } from '../edsr/network.js';
import { toPicture, toTokens, tokenNorm } from '../tokens.js';
import { windowAttention } from './windowAttention.js';

export const SWINIR_UPSAMPLERS = ['pixelshuffle', 'pixelshuffledirect', 'nearest+conv', 'none'] as const;
export type SwinIRUpsampler = (typeof SWINIR_UPSAMPLERS)[number];

export interface SwinIROptions {
  embedDim: number;
  /** Residual Swin transformer groups, each `depth` blocks with `heads` heads. */
  groups: number;
  depth: number;
  heads: number;
  window: number;
  mlpRatio: number;
  upsampler: SwinIRUpsampler;
  /** '1conv': one 3x3 conv after each group and the body; '3conv': 3x3 -> 1x1 -> 3x3 at a quarter width. */
  resiConnection: '1conv' | '3conv';
  imgRange: number;
  /** Features of the upsampler (pixelshuffle, nearest+conv). */
  numFeat: number;
  /** The training patch size: only matters when it is not larger than the window (then window = it, no shift). */
  imgSize: number;
  patchNorm: boolean;
  qkvBias: boolean;
  scale: number;
}

/** The conv after a group or the body: one 3x3, or 3x3 -> 1x1 -> 3x3 at a quarter of the width with LeakyReLU(0.2). */
function residualConv(ctx: BuildContext, name: string, x: Value, c: number, kind: SwinIROptions['resiConnection']): Value {
  if (kind === '1conv') return conv2d(ctx, name, x, c, c, { kernel: 3 });
  const scope = ctx.child(name);
  const q = c / 4;
  const f = leakyRelu(conv2d(scope, '0', x, c, q, { kernel: 3 }), 0.2);
  return conv2d(scope, '4', leakyRelu(conv2d(scope, '2', f, q, q, { kernel: 1 }), 0.2), q, c, { kernel: 3 });
}

/**
 * SwinIR (Liang et al. 2021): conv_first, residual Swin transformer groups (blocks of LayerNorm ->
 * (shifted) window attention -> LayerNorm -> GELU MLP, then a conv) with a long skip, then one of four
 * reconstructions. Built for one picture size, a multiple of the window (the caller pads, reflecting,
 * as the reference does): windows, shifts and masks are those of that size. Names are the reference's.
 */
export function swinir(ctx: BuildContext, x: Value, o: SwinIROptions): Value {
  const [b, channels, h, w] = x.shape;
  if (![b, h, w].every((d) => typeof d === 'number')) throw new RangeError('SwinIR: the graph is built for one picture size; give static dims');
  const [batch, height, width] = [b, h, w] as number[];
  const window = o.imgSize <= o.window ? o.imgSize : o.window;
  const shift = o.imgSize <= o.window ? 0 : Math.floor(window / 2);
  if (height % window !== 0 || width % window !== 0) throw new RangeError(`SwinIR: ${height}x${width} is not a multiple of the window ${window}`);
  const c = o.embedDim;
  const scaleFits = { none: o.scale === 1, pixelshuffledirect: true, pixelshuffle: o.scale === 3 || Number.isInteger(Math.log2(o.scale)), 'nearest+conv': o.scale === 2 || o.scale === 4 };
  if (!scaleFits[o.upsampler]) throw new RangeError(`SwinIR: the ${o.upsampler} reconstruction cannot make x${o.scale}`);
  const mean = channels === 3 ? x.graph.constant(float32Tensor([...DIV2K_RGB_MEAN], [1, 3, 1, 1])) : x.graph.scalar(0);
  const first = conv2d(ctx, 'conv_first', mul(sub(x, mean), o.imgRange), channels as number, c, { kernel: 3 });

  let tokens = toTokens(first);
  if (o.patchNorm) tokens = tokenNorm(ctx.child('patch_embed'), 'norm', tokens, c);
  for (let g = 0; g < o.groups; g++) {
    const group = ctx.child('layers').child(g);
    const start = tokens;
    for (let i = 0; i < o.depth; i++) {
      const block = group.child('residual_group').child('blocks').child(i);
      const shape = { batch, height, width, channels: c, heads: o.heads, window, shift: i % 2 === 1 ? shift : 0, qkvBias: o.qkvBias };
      tokens = add(tokens, windowAttention(block.child('attn'), tokenNorm(block, 'norm1', tokens, c), shape));
      const hidden = Math.round(c * o.mlpRatio);
      const mlp = block.child('mlp');
      tokens = add(tokens, linear(mlp, 'fc2', gelu(linear(mlp, 'fc1', tokenNorm(block, 'norm2', tokens, c), c, hidden)), hidden, c));
    }
    tokens = add(toTokens(residualConv(group, 'conv', toPicture(tokens, batch, height, width), c, o.resiConnection)), start);
  }
  const features = toPicture(tokenNorm(ctx, 'norm', tokens, c), batch, height, width);
  const body = add(residualConv(ctx, 'conv_after_body', features, c, o.resiConnection), first);

  const outChannels = channels as number;
  let out: Value;
  if (o.upsampler === 'none') {
    out = add(mul(sub(x, mean), o.imgRange), conv2d(ctx, 'conv_last', body, c, outChannels, { kernel: 3 }));
  } else if (o.upsampler === 'pixelshuffledirect') {
    out = pixelShuffle(conv2d(ctx.child('upsample'), '0', body, c, outChannels * o.scale * o.scale, { kernel: 3 }), o.scale);
  } else {
    const nf = o.numFeat;
    let f = leakyRelu(conv2d(ctx.child('conv_before_upsample'), '0', body, c, nf, { kernel: 3 }), 0.01);
    if (o.upsampler === 'pixelshuffle') {
      pixelShuffleStages(o.scale).forEach((factor, i) => (f = pixelShuffle(conv2d(ctx.child('upsample'), String(2 * i), f, nf, nf * factor * factor, { kernel: 3 }), factor)));
    } else {
      for (let i = 1; 2 ** i <= o.scale; i++) f = leakyRelu(conv2d(ctx, `conv_up${i}`, resizeNearest(f, [2, 2]), nf, nf, { kernel: 3 }), 0.2);
      f = leakyRelu(conv2d(ctx, 'conv_hr', f, nf, nf, { kernel: 3 }), 0.2);
    }
    out = conv2d(ctx, 'conv_last', f, nf, outChannels, { kernel: 3 });
  }
  return add(div(out, o.imgRange), mean);
}
