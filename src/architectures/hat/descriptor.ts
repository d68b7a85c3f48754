import { z } from 'zod';
import { convElements, defineArchitecture, linearElements, pixelShuffleStages } from '../architecture.js';
import { reducedChannels } from './channelAttentionBlock.js';
import { mlpHidden } from './hybridAttentionBlock.js';
import { hatLayout } from './layouts.js';
import { hat, HAT_RESIDUAL_CONNECTIONS, hatScaleFits } from './network.js';
import { overlapWindowSize } from './overlappingCrossAttention.js';

const RGB = 3;
const size = z.number().int().positive();
const flag = z.number().int().min(0).max(1);

const options = z
  .object({
    // HAT (HAT_SRx4 and its x2/x3 siblings): the paper's defaults.
    embed_dim: size.default(180),
    groups: size.default(6),
    depth: size.default(6),
    heads: size.default(6),
    window: size.default(16),
    overlap_ratio: z.number().min(0).default(0.5),
    compress_ratio: z.number().positive().default(3),
    squeeze_factor: z.number().positive().default(30),
    conv_scale: z.number().default(0.01),
    mlp_ratio: z.number().positive().default(2),
    upsampler: z.enum(['pixelshuffle']).default('pixelshuffle'),
    resi_connection: z.enum(HAT_RESIDUAL_CONNECTIONS).default('1conv'),
    img_range: z.number().positive().default(1),
    num_feat: size.default(64),
    patch_norm: flag.default(1),
    qkv_bias: flag.default(1),
  })
  .strict()
  .refine((o) => o.embed_dim % o.heads === 0, { message: 'embed_dim must be a multiple of heads', path: ['heads'] })
  .refine((o) => (overlapWindowSize(o.window, o.overlap_ratio) - o.window) % 2 === 0, {
    message: 'window * overlap_ratio must round down to an even number (the overlapping windows are centred on the windows)',
    path: ['overlap_ratio'],
  })
  .refine((o) => reducedChannels(o.embed_dim, o.compress_ratio) >= 1, { message: 'compress_ratio leaves no channels', path: ['compress_ratio'] })
  .refine((o) => reducedChannels(o.embed_dim, o.squeeze_factor) >= 1, { message: 'squeeze_factor leaves no channels', path: ['squeeze_factor'] })
  .refine((o) => mlpHidden(o.embed_dim, o.mlp_ratio) >= 1, { message: 'mlp_ratio leaves no hidden features', path: ['mlp_ratio'] });

type Options = z.output<typeof options>;


/** Norms, qkv, proj and MLP of a transformer block with a bias table of `tableRows` rows. */
function attentionBlockElements(o: Options, tableRows: number): number {
  const c = o.embed_dim;
  const hidden = mlpHidden(c, o.mlp_ratio);
  return 4 * c + tableRows * o.heads + linearElements(c, 3 * c, o.qkv_bias === 1) + linearElements(c, c) + linearElements(c, hidden) + linearElements(hidden, c);
}

function channelAttentionElements(o: Options): number {
  const c = o.embed_dim;
  const [hidden, squeezed] = [reducedChannels(c, o.compress_ratio), reducedChannels(c, o.squeeze_factor)];
  return convElements(c, hidden) + convElements(hidden, c) + convElements(c, squeezed, 1) + convElements(squeezed, c, 1);
}

const residualConvElements = (o: Options) => (o.resi_connection === '1conv' ? convElements(o.embed_dim, o.embed_dim) : 0);

/** HAT (Chen et al. 2023): SwinIR with a channel-attention conv branch in every block and overlapping cross-attention per group. */
export const hatArchitecture = defineArchitecture({
  name: 'hat',
  options,
  build: (ctx, x, scale, o) =>
    hat(ctx, x, {
      embedDim: o.embed_dim,
      groups: o.groups,
      depth: o.depth,
      heads: o.heads,
      window: o.window,
      overlapRatio: o.overlap_ratio,
      compressRatio: o.compress_ratio,
      squeezeFactor: o.squeeze_factor,
      convScale: o.conv_scale,
      mlpRatio: o.mlp_ratio,
      resiConnection: o.resi_connection,
      imgRange: o.img_range,
      numFeat: o.num_feat,
      patchNorm: o.patch_norm === 1,
      qkvBias: o.qkv_bias === 1,
      scale,
    }),
  traits: (o, scale) => {
    const window = o.window;
    const overlap = overlapWindowSize(window, o.overlap_ratio);
    return {
      // A window reaches window - 1 pixels further per block, its conv branch 2; the cross-attention its
      // window plus the overlap on one side; the convs one each.
      receptiveRadius: o.groups * (o.depth * (window + 1) + window - 1 + (overlap - window) / 2 + 1) + 3,
      // Per pixel: the attention scores of its row (twice: scores and softmax, the larger of the two
      // attentions), the tokens and their qkv/MLP expansions, and the upsampler's features at output size.
      bytesPerPixel: 4 * (2 * Math.max(window * window, overlap * overlap) * o.heads + (10 + 2 * o.mlp_ratio) * o.embed_dim + 2 * o.num_feat * scale * scale),
      sizeMultiple: window,
      minimumSize: window,
      padding: 'reflect',
      perShapeGraph: true,
      alignTiles: true,
    };
  },
  stateElements: (o, scale) => {
    const c = o.embed_dim;
    const window = o.window;
    const overlap = overlapWindowSize(window, o.overlap_ratio);
    const block = attentionBlockElements(o, (2 * window - 1) ** 2) + channelAttentionElements(o);
    const group = o.depth * block + attentionBlockElements(o, (window + overlap - 1) ** 2) + residualConvElements(o);
    const nf = o.num_feat;
    const reconstruction = convElements(c, nf) + pixelShuffleStages(scale).reduce((n, f) => n + convElements(nf, nf * f * f), 0) + convElements(nf, RGB);
    return convElements(RGB, c) + (o.patch_norm ? 2 * c : 0) + o.groups * group + 2 * c + residualConvElements(o) + reconstruction;
  },
  trainingMisfit: (o, scale, lrPatch) => {
    if (lrPatch % o.window !== 0) return { key: 'data.lr_patch', reason: `${lrPatch} must be a multiple of the window (${o.window})` };
    if (!hatScaleFits(scale)) return { key: 'scale', reason: `${scale}: HAT's pixelshuffle upsampler makes x2^n or x3` };
    return undefined;
  },
  layouts: [hatLayout],
});
