import { gelu, leakyRelu } from '../../graph/ops/activations.js';
import { add, mul, sub } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { split } from '../../graph/ops/shape.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { linear } from '../../nn/linear.js';
import { pixelShuffleStages } from '../architecture.js';
import { DIV2K_RGB_MEAN } from '../edsr/network.js';
import { adaptiveChannelAttention } from './channelAttention.js';
import { isShiftedBlock } from './rectangleWindows.js';
import { adaptiveSpatialAttention } from './spatialAttention.js';
import { toPicture, toTokens, tokenNorm } from '../tokens.js';

export const DAT_UPSAMPLERS = ['pixelshuffle', 'pixelshuffledirect'] as const;
export type DatUpsampler = (typeof DAT_UPSAMPLERS)[number];

export interface DatOptions {
  embedDim: number;
  /** Residual groups, each `depth` blocks (spatial, channel, spatial, ...) with `heads` heads. */
  groups: number;
  depth: number;
  heads: number;
  /** FFN hidden width / embedDim. */
  expansion: number;
  /** The spatial window [rows, columns] (the second half of the heads use it turned). */
  split: readonly [number, number];
  /** '1conv': one 3x3 conv after each group and the body; '3conv': 3x3 -> 1x1 -> 3x3 at a quarter width. */
  resiConnection: '1conv' | '3conv';
  upsampler: DatUpsampler;
  /** Features of the pixelshuffle upsampler. */
  numFeat: number;
  qkvBias: boolean;
  scale: number;
}

/** The conv after a group or the body: one 3x3, or 3x3 -> 1x1 -> 3x3 at a quarter of the width with LeakyReLU(0.2). */
function residualConv(ctx: BuildContext, name: string, x: Value, c: number, kind: DatOptions['resiConnection']): Value {
  if (kind === '1conv') return conv2d(ctx, name, x, c, c, { kernel: 3 });
  const scope = ctx.child(name);
  const q = c / 4;
  const f = leakyRelu(conv2d(scope, '0', x, c, q, { kernel: 3 }), 0.2);
  return conv2d(scope, '4', leakyRelu(conv2d(scope, '2', f, q, q, { kernel: 1 }), 0.2), q, c, { kernel: 3 });
}

/**
 * The spatial-gate FFN (`ffn`): fc1 -> GELU; the second half of the features, LayerNorm'd and
 * through a depthwise 3x3 conv (`sg.norm`, `sg.conv`), multiplies the first; fc2.
 */
function spatialGateFfn(ctx: BuildContext, tokens: Value, c: number, hidden: number, picture: { batch: number; height: number; width: number }): Value {
  const half = hidden / 2;
  const [kept, gate] = split(gelu(linear(ctx, 'fc1', tokens, c, hidden)), 1, [half, half]);
  const sg = ctx.child('sg');
  const gatePicture = toPicture(tokenNorm(sg, 'norm', gate, half), picture.batch, picture.height, picture.width);
  return linear(ctx, 'fc2', mul(kept, toTokens(conv2d(sg, 'conv', gatePicture, half, half, { kernel: 3, groups: half }))), half, c);
}

/**
 * DAT (Chen et al. 2023): conv_first; LayerNorm'd tokens (`before_RG.1`); residual groups of blocks
 * alternating adaptive spatial attention (even) and adaptive channel attention (odd), each block
 * x + attn(norm1 x), then x + ffn(norm2 x), a conv closing each group; `norm`; conv_after_body with
 * the long skip; pixelshuffle or pixelshuffledirect. Built for one picture size (windows and masks);
 * any size: the spatial attention pads to its windows itself, as the reference. Names are the reference's.
 */
export function dat(ctx: BuildContext, x: Value, o: DatOptions): Value {
  const [b, channels, h, w] = x.shape;
  if (![b, h, w].every((d) => typeof d === 'number')) throw new RangeError('DAT: the graph is built for one picture size; give static dims');
  if (channels !== 3) throw new RangeError(`DAT: takes RGB pictures, not ${channels} channels`);
  if (o.upsampler === 'pixelshuffle' && o.scale !== 3 && !Number.isInteger(Math.log2(o.scale))) throw new RangeError(`DAT: the pixelshuffle upsampler cannot make x${o.scale}`);
  const picture = { batch: b as number, height: h as number, width: w as number };
  const c = o.embedDim;
  const hidden = Math.floor(c * o.expansion);
  const mean = x.graph.constant(float32Tensor([...DIV2K_RGB_MEAN], [1, 3, 1, 1]));
  const first = conv2d(ctx, 'conv_first', sub(x, mean), 3, c, { kernel: 3 });

  let tokens = tokenNorm(ctx.child('before_RG'), '1', toTokens(first), c);
  for (let g = 0; g < o.groups; g++) {
    const group = ctx.child('layers').child(g);
    const start = tokens;
    for (let i = 0; i < o.depth; i++) {
      const block = group.child('blocks').child(i);
      const normed = tokenNorm(block, 'norm1', tokens, c);
      const shape = { ...picture, channels: c, heads: o.heads, qkvBias: o.qkvBias };
      const attention =
        i % 2 === 0
          ? adaptiveSpatialAttention(block.child('attn'), normed, { ...shape, split: o.split, shifted: isShiftedBlock(g, i) })
          : adaptiveChannelAttention(block.child('attn'), normed, shape);
      tokens = add(tokens, attention);
      tokens = add(tokens, spatialGateFfn(block.child('ffn'), tokenNorm(block, 'norm2', tokens, c), c, hidden, picture));
    }
    tokens = add(start, toTokens(residualConv(group, 'conv', toPicture(tokens, picture.batch, picture.height, picture.width), c, o.resiConnection)));
  }
  const features = toPicture(tokenNorm(ctx, 'norm', tokens, c), picture.batch, picture.height, picture.width);
  const body = add(residualConv(ctx, 'conv_after_body', features, c, o.resiConnection), first);

  let out: Value;
  if (o.upsampler === 'pixelshuffledirect') {
    out = pixelShuffle(conv2d(ctx.child('upsample'), '0', body, c, 3 * o.scale * o.scale, { kernel: 3 }), o.scale);
  } else {
    const nf = o.numFeat;
    let f = leakyRelu(conv2d(ctx.child('conv_before_upsample'), '0', body, c, nf, { kernel: 3 }), 0.01);
    pixelShuffleStages(o.scale).forEach((factor, i) => (f = pixelShuffle(conv2d(ctx.child('upsample'), String(2 * i), f, nf, nf * factor * factor, { kernel: 3 }), factor)));
    out = conv2d(ctx, 'conv_last', f, nf, 3, { kernel: 3 });
  }
  return add(out, mean);
}
