import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { isPowerOfTwo } from '../trainingFit.js';
import { basicsrRRDBNetLayout, esrganOriginalLayout, esrganRepositoryLayout } from './layouts.js';
import { rrdbnet } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** Real-ESRGAN's layout: the input is pixel-unshuffled by 2^upsamplings / scale, then enlarged by x2 stages. */
const unshuffleOf = (o: { upsamplings?: number }, scale: number) => 2 ** (o.upsamplings ?? 2) / scale;

/** ESRGAN's RRDBNet (Wang et al. 2018): residual-in-residual dense blocks without batch norm, nearest x2 + conv stages. */
export const rrdbnetArchitecture = defineArchitecture({
  name: 'rrdbnet',
  options: z
    .object({
      features: size.default(64),
      blocks: size.default(23),
      growth: size.default(32),
      // Absent: two, as Real-ESRGAN's RRDBNet; ESRGAN community models have 0 to 3.
      upsamplings: z.number().int().min(0).optional(),
      channels: z.union([z.literal(1), z.literal(3), z.literal(4)]).default(RGB),
    })
    .strict(),
  build: (ctx, x, scale, o) => rrdbnet(ctx, x, { ...o, scale }),
  traits: (o, scale) => {
    const unshuffle = Math.max(1, unshuffleOf(o, scale));
    return {
      receptiveRadius: (15 * o.blocks + 4) * unshuffle,
      // Measured: ~24 KB per input pixel at x4 (the 64-feature convs at 4x and 16x the input's area dominate).
      bytesPerPixel: 4 * (4 * (o.features + 4 * o.growth) + (5 / 3) * 3 * o.features * scale * scale + 6 * scale * scale),
      sizeMultiple: unshuffle,
      minimumSize: 1,
      channels: o.channels,
    };
  },
  stateElements: (o, scale) => {
    const nf = o.features;
    const gc = o.growth;
    const unshuffle = unshuffleOf(o, scale);
    let denseBlock = convElements(nf + 4 * gc, nf);
    for (let i = 0; i < 4; i++) denseBlock += convElements(nf + i * gc, gc);
    return convElements(o.channels * unshuffle * unshuffle, nf) + o.blocks * 3 * denseBlock + ((o.upsamplings ?? 2) + 2) * convElements(nf, nf) + convElements(nf, o.channels);
  },
  trainingMisfit: (o, scale, lrPatch) => {
    const upsamplings = o.upsamplings ?? 2;
    const unshuffle = unshuffleOf(o, scale);
    if (!isPowerOfTwo(scale)) return { key: 'scale', reason: `${scale}: rrdbnet upsamples in x2 stages, so it trains at x2, x4 or x8` };
    if (unshuffle < 1) {
      return o.upsamplings === undefined
        ? { key: 'scale', reason: `${scale}: rrdbnet with its default 2 upsampling stages trains at x2 or x4 (set 'model.options.upsamplings' to ${Math.log2(scale)})` }
        : { key: 'model.options.upsamplings', reason: `${upsamplings}: ${upsamplings} x2 stages cannot make x${scale} (at least ${Math.log2(scale)} are needed)` };
    }
    if (lrPatch % unshuffle !== 0) return { key: 'data.lr_patch', reason: `${lrPatch} must be a multiple of ${unshuffle}: rrdbnet at x${scale} pixel-unshuffles its input by ${unshuffle}` };
    return undefined;
  },
  layouts: [esrganOriginalLayout, esrganRepositoryLayout, basicsrRRDBNetLayout],
});
