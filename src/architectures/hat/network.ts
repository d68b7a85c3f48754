import { leakyRelu } from '../../graph/ops/activations.js';
import { add, div, mul, sub } from '../../graph/ops/elementwise.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { pixelShuffleStages } from '../architecture.js';
import { DIV2K_RGB_MEAN } from '../edsr/network.js';
import { hybridAttentionBlock } from './hybridAttentionBlock.js';
import { overlappingCrossAttention, overlapWindowSize } from './overlappingCrossAttention.js';
import { toPicture, toTokens, tokenNorm } from '../tokens.js';

export const HAT_RESIDUAL_CONNECTIONS = ['1conv', 'identity'] as const;

export interface HATOptions {
  embedDim: number;
  /** Residual hybrid attention groups, each `depth` blocks with `heads` heads, then one overlapping cross-attention. */
  groups: number;
  depth: number;
  heads: number;
  window: number;
  /** Keys and values of the cross-attention come from windows of window + int(window * overlapRatio). */
  overlapRatio: number;
  compressRatio: number;
  squeezeFactor: number;
  convScale: number;
  mlpRatio: number;
  /** '1conv': a 3x3 conv after each group and the body; 'identity': none. */
  resiConnection: (typeof HAT_RESIDUAL_CONNECTIONS)[number];
  imgRange: number;
  numFeat: number;
  patchNorm: boolean;
  qkvBias: boolean;
  scale: number;
}

/** HAT can make x2^n (n >= 0) with x2 pixel-shuffle stages, or x3 with one. */
export const hatScaleFits = (scale: number): boolean => scale === 3 || (Number.isInteger(scale) && scale >= 1 && Number.isInteger(Math.log2(scale)));

function residualConv(ctx: BuildContext, name: string, x: Value, c: number, kind: HATOptions['resiConnection']): Value {
  return kind === '1conv' ? conv2d(ctx, name, x, c, c, { kernel: 3 }) : x;
}

/**
 * HAT (Chen et al. 2023): SwinIR's body where every block adds a channel-attention conv branch to its
 * window attention and every group ends with an overlapping cross-attention, then SwinIR's pixel-shuffle
 * reconstruction. Built for one picture size, a multiple of the window (the caller pads by reflection,
 * as the reference does); windows, shifts and masks are those of that size. Names are the reference's.
 */
export function hat(ctx: BuildContext, x: Value, o: HATOptions): Value {
  const [b, channels, h, w] = x.shape;
  if (![b, h, w].every((dim) => typeof dim === 'number')) throw new RangeError('HAT: the graph is built for one picture size; give static dims');
  const [batch, height, width] = [b, h, w] as number[];
  const window = o.window;
  if (height % window !== 0 || width % window !== 0) throw new RangeError(`HAT: ${height}x${width} is not a multiple of the window ${window}`);
  if (!hatScaleFits(o.scale)) throw new RangeError(`HAT: the pixelshuffle reconstruction cannot make x${o.scale}`);
  const overlap = overlapWindowSize(window, o.overlapRatio);
  if ((overlap - window) % 2 !== 0) throw new RangeError(`HAT: overlapping windows of ${overlap} around windows of ${window} are not centred (their difference must be even)`);
  const c = o.embedDim;
  const mean = channels === 3 ? x.graph.constant(float32Tensor([...DIV2K_RGB_MEAN], [1, 3, 1, 1])) : x.graph.scalar(0);
  const normalised = mul(sub(x, mean), o.imgRange);
  const first = conv2d(ctx, 'conv_first', normalised, channels as number, c, { kernel: 3 });

  const picture = { batch, height, width, channels: c, heads: o.heads, window, qkvBias: o.qkvBias, mlpRatio: o.mlpRatio };
  let tokens = toTokens(first);
  if (o.patchNorm) tokens = tokenNorm(ctx.child('patch_embed'), 'norm', tokens, c);
  for (let g = 0; g < o.groups; g++) {
    const group = ctx.child('layers').child(g);
    const blocks = group.child('residual_group');
    const start = tokens;
    for (let i = 0; i < o.depth; i++) {
      const shift = i % 2 === 1 ? Math.floor(window / 2) : 0;
      tokens = hybridAttentionBlock(blocks.child('blocks').child(i), tokens, { ...picture, shift, compressRatio: o.compressRatio, squeezeFactor: o.squeezeFactor, convScale: o.convScale });
    }
    tokens = overlappingCrossAttention(blocks.child('overlap_attn'), tokens, { ...picture, overlap });
    tokens = add(toTokens(residualConv(group, 'conv', toPicture(tokens, batch, height, width), c, o.resiConnection)), start);
  }
  const features = toPicture(tokenNorm(ctx, 'norm', tokens, c), batch, height, width);
  const body = add(residualConv(ctx, 'conv_after_body', features, c, o.resiConnection), first);

  const nf = o.numFeat;
  let f = leakyRelu(conv2d(ctx.child('conv_before_upsample'), '0', body, c, nf, { kernel: 3 }), 0.01);
  pixelShuffleStages(o.scale).forEach((factor, i) => (f = pixelShuffle(conv2d(ctx.child('upsample'), String(2 * i), f, nf, nf * factor * factor, { kernel: 3 }), factor)));
  const out = conv2d(ctx, 'conv_last', f, nf, channels as number, { kernel: 3 });
  return add(div(out, o.imgRange), mean);
}
