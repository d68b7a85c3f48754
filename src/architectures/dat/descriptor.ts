import { z } from 'zod';
import { batchNormElements, convElements, defineArchitecture, linearElements, pixelShuffleStages } from '../architecture.js';
import { datLayout } from './layouts.js';
import { dat, DAT_UPSAMPLERS } from './network.js';
import { positionFeatures } from './positionBias.js';

const RGB = 3;
const size = z.number().int().positive();
const flag = z.number().int().min(0).max(1);

const options = z
  .object({
    // DAT x4 as published (DAT_x4.pth): the paper's defaults. DAT-2 is expansion_factor 2, DAT-S also
    // 8x16 windows; DAT-light is 1 group of 18 blocks, 60 channels, '3conv', 'pixelshuffledirect'.
    embed_dim: size.default(180),
    groups: size.default(6),
    depth: size.default(6),
    heads: size.default(6),
    expansion_factor: z.number().positive().default(4),
    split_h: size.default(8),
    split_w: size.default(32),
    // The training patch: only the shape of stored masks depends on it (masks are rebuilt per picture).
    img_size: size.default(64),
    resi_connection: z.enum(['1conv', '3conv']).default('1conv'),
    upsampler: z.enum(DAT_UPSAMPLERS).default('pixelshuffle'),
    num_feat: size.default(64),
    qkv_bias: flag.default(1),
  })
  .strict()
  .refine((o) => o.embed_dim % 2 === 0 && positionFeatures(o.embed_dim / 2) >= 1, { message: 'embed_dim must be even and at least 32 (the position MLP has embed_dim / 32 features)', path: ['embed_dim'] })
  .refine((o) => o.heads >= 2 && o.embed_dim % o.heads === 0 && (o.embed_dim / 2) % Math.floor(o.heads / 2) === 0, {
    message: 'heads must be at least 2 and divide embed_dim (and half of them embed_dim / 2)',
    path: ['heads'],
  })
  .refine((o) => o.split_h >= 2 && o.split_w >= 2 && Math.max(o.split_h, o.split_w) % Math.min(o.split_h, o.split_w) === 0, {
    message: 'split_h and split_w must be at least 2, the larger a multiple of the smaller',
    path: ['split_w'],
  })
  .refine((o) => Math.floor(o.embed_dim * o.expansion_factor) % 2 === 0 && Math.floor(o.embed_dim * o.expansion_factor) >= 2, {
    message: 'embed_dim * expansion_factor must be an even width (the spatial gate halves it)',
    path: ['expansion_factor'],
  })
  .refine((o) => o.resi_connection === '1conv' || o.embed_dim % 4 === 0, { message: "'3conv' needs an embed_dim divisible by 4", path: ['resi_connection'] });

type Options = z.output<typeof options>;

const layerNormElements = (c: number) => 2 * c;
const depthwiseElements = (c: number) => 9 * c + c;

function residualConvElements(c: number, kind: Options['resi_connection']): number {
  return kind === '1conv' ? convElements(c, c) : convElements(c, c / 4) + convElements(c / 4, c / 4, 1) + convElements(c / 4, c);
}

/** qkv, proj, the conv branch and the two interaction gates: what both attentions of a block share. */
function attentionCommonElements(c: number, qkvBias: boolean): number {
  const [c8, c16] = [Math.floor(c / 8), Math.floor(c / 16)];
  const convBranch = depthwiseElements(c) + batchNormElements(c);
  const channelGate = convElements(c, c8, 1) + batchNormElements(c8) + convElements(c8, c, 1);
  const spatialGate = convElements(c, c16, 1) + batchNormElements(c16) + convElements(c16, 1, 1);
  return linearElements(c, 3 * c, qkvBias) + linearElements(c, c) + convBranch + channelGate + spatialGate;
}

/** One spatial half's position MLP: pos_proj and three LayerNorm + Linear stages. */
function positionBiasElements(halfChannels: number, halfHeads: number): number {
  const f = positionFeatures(halfChannels);
  return linearElements(2, f) + 3 * layerNormElements(f) + 2 * linearElements(f, f) + linearElements(f, halfHeads);
}

function blockElements(o: Options, block: number): number {
  const c = o.embed_dim;
  const hidden = Math.floor(c * o.expansion_factor);
  const ffn = linearElements(c, hidden) + layerNormElements(hidden / 2) + depthwiseElements(hidden / 2) + linearElements(hidden / 2, c);
  const attention = block % 2 === 0 ? 2 * positionBiasElements(c / 2, Math.floor(o.heads / 2)) : o.heads;
  return 2 * layerNormElements(c) + attentionCommonElements(c, o.qkv_bias === 1) + attention + ffn;
}

function reconstructionElements(o: Options, scale: number): number {
  const [c, nf] = [o.embed_dim, o.num_feat];
  if (o.upsampler === 'pixelshuffledirect') return convElements(c, RGB * scale * scale);
  return convElements(c, nf) + pixelShuffleStages(scale).reduce((n, f) => n + convElements(nf, nf * f * f), 0) + convElements(nf, RGB);
}

/** DAT (Chen et al. 2023): residual groups alternating rectangle-window spatial attention and channel attention. */
export const datArchitecture = defineArchitecture({
  name: 'dat',
  options,
  build: (ctx, x, scale, o) =>
    dat(ctx, x, {
      embedDim: o.embed_dim,
      groups: o.groups,
      depth: o.depth,
      heads: o.heads,
      expansion: o.expansion_factor,
      split: [o.split_h, o.split_w],
      resiConnection: o.resi_connection,
      upsampler: o.upsampler,
      numFeat: o.num_feat,
      qkvBias: o.qkv_bias === 1,
      scale,
    }),
  traits: (o, scale) => {
    const n = o.split_h * o.split_w;
    const side = Math.max(o.split_h, o.split_w);
    return {
      // The channel attention and its gates are global; locally, a window reaches side - 1 pixels
      // further per spatial block, the convs (branch, FFN gate) one each.
      receptiveRadius: o.groups * (o.depth * (side + 1) + 1) + 3,
      // Per pixel: the window attention scores (N per head, twice: scores and softmax), the tokens
      // and their qkv/FFN expansions, and the upsampler's features at output size.
      bytesPerPixel: 4 * (2 * n * o.heads + (8 + 2 * o.expansion_factor) * o.embed_dim + (o.upsampler === 'pixelshuffle' ? 2 * o.num_feat * scale * scale : 0)),
      // The spatial attention pads q, k, v to its windows itself (with zeros, as the reference), so
      // any size runs as the reference runs it; padding the picture would change the result.
      sizeMultiple: 1,
      minimumSize: 16,
      padding: 'reflect',
      perShapeGraph: true,
    };
  },
  stateElements: (o, scale) => {
    const c = o.embed_dim;
    const group = Array.from({ length: o.depth }, (_, i) => blockElements(o, i)).reduce((a, b) => a + b, 0) + residualConvElements(c, o.resi_connection);
    return convElements(RGB, c) + layerNormElements(c) + o.groups * group + layerNormElements(c) + residualConvElements(c, o.resi_connection) + reconstructionElements(o, scale);
  },
  trainingMisfit: (o, scale) => {
    if (o.upsampler === 'pixelshuffle' && scale !== 3 && !Number.isInteger(Math.log2(scale))) return { key: 'scale', reason: `${scale}: the pixelshuffle upsampler makes x2^n or x3` };
    return undefined;
  },
  layouts: [datLayout],
});
