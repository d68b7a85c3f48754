import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { OMNISR_HEADS } from './attention.js';
import { ESA_MINIMUM_SIDE, esaChannels } from './esa.js';
import { omnisrLayout } from './layouts.js';
import { omnisr } from './network.js';

const RGB = 3;
const size = z.number().int().positive();
const flag = z.number().int().min(0).max(1);

const options = z
  .object({
    // The published OmniSR (train_OmniSR_X4_DF2K.yaml): 64 features, 5 groups of 1 block, window 8.
    num_feat: size.default(64),
    res_num: size.default(5),
    block_num: size.default(1),
    window: size.default(8),
    pe: flag.default(1),
    bias: flag.default(1),
  })
  .strict()
  .refine((o) => o.num_feat % OMNISR_HEADS === 0, { message: `num_feat must be a multiple of ${OMNISR_HEADS} (the attention heads)`, path: ['num_feat'] });

type Options = z.output<typeof options>;

/** Elements of one OSA block: MBConv, two spatial attentions, two channel attentions, four gated FFNs. */
function blockElements(c: number, window: number, pe: boolean): number {
  const depthwise = (channels: number, bias: boolean) => 9 * channels + (bias ? channels : 0);
  const norm = 2 * c;
  const mbconv = 2 * convElements(c, c, 1) + depthwise(c, true) + 2 * c * Math.floor(c / 4);
  const spatial = norm + 4 * c * c + (pe ? (2 * window - 1) ** 2 * OMNISR_HEADS : 0);
  const channel = norm + OMNISR_HEADS + 4 * c * c + depthwise(3 * c, false);
  const ffn = norm + 3 * c * c + depthwise(2 * c, false);
  return mbconv + 2 * spatial + 2 * channel + 4 * ffn;
}

function esaElements(c: number): number {
  const f = esaChannels(c);
  return convElements(c, f, 1) + convElements(f, f, 1) + 2 * convElements(f, f, 3) + convElements(f, c, 1);
}

const convWithBias = (inChannels: number, outChannels: number, kernel: number, bias: boolean) => convElements(inChannels, outChannels, kernel) - (bias ? 0 : outChannels);

/** OmniSR (Wang et al. 2023): groups of window/grid self-attention and channel attention with ESA, a PixelShuffle tail. */
export const omnisrArchitecture = defineArchitecture({
  name: 'omnisr',
  options,
  build: (ctx, x, scale, o) =>
    omnisr(ctx, x, { features: o.num_feat, groups: o.res_num, blocks: o.block_num, window: o.window, positionBias: o.pe === 1, bias: o.bias === 1, scale }),
  traits: (o, scale) => ({
    // The local reach: per block the window attention and the channel attention in windows (w - 1
    // each) and six 3x3 depthwise convs; per group ESA's pooled branch (about 18). No radius is exact:
    // grid attention and ESA's pooling read the whole picture, so a tile's output depends on all of it
    // and tiled output is close to, never equal to, one run; auto tiles are as large as the budget allows.
    receptiveRadius: o.res_num * (o.block_num * (2 * (o.window - 1) + 6) + 18) + 2,
    // Per pixel: the attention scores of its group (w*w x heads, twice: scores and softmax), the
    // features and their qkv and FFN expansions, and the upsampler's output.
    bytesPerPixel: 4 * (2 * o.window * o.window * OMNISR_HEADS + 16 * o.num_feat + 2 * RGB * scale * scale),
    sizeMultiple: o.window,
    minimumSize: ESA_MINIMUM_SIDE,
    // The reference pads with zeros (check_image_size), and the grid groups span the padded picture.
    padding: 'zeros',
    perShapeGraph: true,
    alignTiles: true,
  }),
  stateElements: (o, scale) => {
    const c = o.num_feat;
    const bias = o.bias === 1;
    const group = o.block_num * blockElements(c, o.window, o.pe === 1) + convWithBias(c, c, 1, bias) + esaElements(c);
    return convWithBias(RGB, c, 3, bias) + o.res_num * group + convWithBias(c, c, 3, bias) + convWithBias(c, RGB * scale * scale, 3, bias);
  },
  trainingMisfit: (o, _scale, lrPatch) => {
    if (lrPatch % o.window !== 0) return { key: 'data.lr_patch', reason: `${lrPatch} must be a multiple of the window (${o.window})` };
    if (lrPatch < ESA_MINIMUM_SIDE) return { key: 'data.lr_patch', reason: `${lrPatch} is smaller than ESA's pooling takes (${ESA_MINIMUM_SIDE})` };
    return undefined;
  },
  layouts: [omnisrLayout],
});
