import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { smallNetworkTraits } from '../srcnn/descriptor.js';
import { patchMisfit } from '../trainingFit.js';
import { unet } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** A U-Net, on the bicubic-enlarged picture or at LR with a PixelShuffle tail. Our own layout only. */
export const unetArchitecture = defineArchitecture({
  name: 'unet',
  options: z.object({ features: size.default(32), depth: size.default(2), learned_upsampler: z.number().int().min(0).max(1).default(0) }).strict(),
  build: (ctx, x, scale, o) => unet(ctx, x, { features: o.features, depth: o.depth, upsampler: o.learned_upsampler ? 'learned' : 'bicubic', scale }),
  traits: (_o, scale) => smallNetworkTraits(scale),
  stateElements: (o, scale) => {
    let total = convElements(RGB, o.features) + convElements(o.features, o.features);
    for (let level = 1, width = o.features; level <= o.depth; level++, width *= 2) {
      total += convElements(width, 2 * width) + convElements(2 * width, 2 * width); // down: a double conv
      total += convElements(2 * width, width) + convElements(2 * width, width) + convElements(width, width); // up: upconv, then a double conv over the skip
    }
    return total + convElements(o.features, o.learned_upsampler ? RGB * scale * scale : RGB);
  },
  trainingMisfit: (o, scale, lrPatch) => patchMisfit(o.learned_upsampler ? lrPatch : lrPatch * scale, o.depth, `unet with depth ${o.depth}`, lrPatch),
  layouts: [],
});
