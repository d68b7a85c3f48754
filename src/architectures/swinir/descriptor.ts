import { z } from 'zod';
import { convElements, defineArchitecture, linearElements, pixelShuffleStages } from '../architecture.js';
import { swinirLayout } from './layouts.js';
import { swinir, SWINIR_UPSAMPLERS } from './network.js';

const RGB = 3;
const size = z.number().int().positive();
const flag = z.number().int().min(0).max(1);

const options = z
  .object({
    // SwinIR-M, the classical SR models (001_classicalSR_DF2K_s64w8_SwinIR-M): the paper's defaults.
    embed_dim: size.default(180),
    groups: size.default(6),
    depth: size.default(6),
    heads: size.default(6),
    window: size.default(8),
    mlp_ratio: z.number().positive().default(2),
    upsampler: z.enum(SWINIR_UPSAMPLERS).default('pixelshuffle'),
    resi_connection: z.enum(['1conv', '3conv']).default('1conv'),
    img_range: z.number().positive().default(1),
    num_feat: size.default(64),
    img_size: size.default(64),
    patch_norm: flag.default(1),
    qkv_bias: flag.default(1),
  })
  .strict()
  .refine((o) => o.embed_dim % o.heads === 0, { message: 'embed_dim must be a multiple of heads', path: ['heads'] })
  .refine((o) => o.resi_connection === '1conv' || o.embed_dim % 4 === 0, { message: "'3conv' needs an embed_dim divisible by 4", path: ['resi_connection'] });

type Options = z.output<typeof options>;

const effectiveWindow = (o: Options) => Math.min(o.window, o.img_size);


function residualConvElements(c: number, kind: Options['resi_connection']): number {
  return kind === '1conv' ? convElements(c, c) : convElements(c, c / 4) + convElements(c / 4, c / 4, 1) + convElements(c / 4, c);
}

function reconstructionElements(o: Options, scale: number): number {
  const [c, nf] = [o.embed_dim, o.num_feat];
  switch (o.upsampler) {
    case 'none':
      return convElements(c, RGB);
    case 'pixelshuffledirect':
      return convElements(c, RGB * scale * scale);
    case 'pixelshuffle': {
      return convElements(c, nf) + pixelShuffleStages(scale).reduce((n, f) => n + convElements(nf, nf * f * f), 0) + convElements(nf, RGB);
    }
    case 'nearest+conv':
      return convElements(c, nf) + Math.log2(scale) * convElements(nf, nf) + convElements(nf, nf) + convElements(nf, RGB);
  }
}

/** SwinIR (Liang et al. 2021): residual Swin transformer groups of (shifted) window attention. */
export const swinirArchitecture = defineArchitecture({
  name: 'swinir',
  options,
  build: (ctx, x, scale, o) =>
    swinir(ctx, x, {
      embedDim: o.embed_dim,
      groups: o.groups,
      depth: o.depth,
      heads: o.heads,
      window: o.window,
      mlpRatio: o.mlp_ratio,
      upsampler: o.upsampler,
      resiConnection: o.resi_connection,
      imgRange: o.img_range,
      numFeat: o.num_feat,
      imgSize: o.img_size,
      patchNorm: o.patch_norm === 1,
      qkvBias: o.qkv_bias === 1,
      scale,
    }),
  traits: (o, scale) => {
    const window = effectiveWindow(o);
    const n = window * window;
    return {
      // A window reaches window - 1 pixels further per block; the convs one each.
      receptiveRadius: o.groups * (o.depth * (window - 1) + 1) + 3,
      // Per pixel: the attention scores of its window row (N x heads, twice: scores and softmax), the
      // tokens and their qkv/MLP expansions, and the upsampler's features at output size.
      bytesPerPixel: 4 * (2 * n * o.heads + (8 + 2 * o.mlp_ratio) * o.embed_dim + (o.upsampler === 'none' ? 0 : 2 * o.num_feat * scale * scale)),
      sizeMultiple: window,
      minimumSize: window,
      padding: 'reflect',
      perShapeGraph: true,
      alignTiles: true,
    };
  },
  stateElements: (o, scale) => {
    const c = o.embed_dim;
    const window = effectiveWindow(o);
    const hidden = Math.round(c * o.mlp_ratio);
    const block =
      4 * c + // norm1, norm2
      (2 * window - 1) ** 2 * o.heads +
      linearElements(c, 3 * c, o.qkv_bias === 1) +
      linearElements(c, c) +
      linearElements(c, hidden) +
      linearElements(hidden, c);
    const group = o.depth * block + residualConvElements(c, o.resi_connection);
    return convElements(RGB, c) + (o.patch_norm ? 2 * c : 0) + o.groups * group + 2 * c + residualConvElements(c, o.resi_connection) + reconstructionElements(o, scale);
  },
  trainingMisfit: (o, scale, lrPatch) => {
    if (lrPatch % effectiveWindow(o) !== 0) return { key: 'data.lr_patch', reason: `${lrPatch} must be a multiple of the window (${effectiveWindow(o)})` };
    if (o.upsampler === 'nearest+conv' && scale !== 2 && scale !== 4) return { key: 'scale', reason: `${scale}: the nearest+conv upsampler makes x2 or x4` };
    if (o.upsampler === 'pixelshuffle' && scale !== 3 && !Number.isInteger(Math.log2(scale))) return { key: 'scale', reason: `${scale}: the pixelshuffle upsampler makes x2^n or x3` };
    if (o.upsampler === 'none' && scale !== 1) return { key: 'scale', reason: `${scale}: without an upsampler SwinIR is x1` };
    return undefined;
  },
  layouts: [swinirLayout],
});
