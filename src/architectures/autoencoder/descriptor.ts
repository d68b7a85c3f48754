import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { patchMisfit } from '../trainingFit.js';
import { smallNetworkTraits } from '../srcnn/descriptor.js';
import { autoencoder } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** A convolutional auto-encoder on the bicubic-enlarged picture (stride-2 down, transposed up). Our own layout only. */
export const autoencoderArchitecture = defineArchitecture({
  name: 'autoencoder',
  options: z.object({ features: size.default(32), depth: size.default(2) }).strict(),
  build: (ctx, x, scale, o) => autoencoder(ctx, x, { ...o, scale }),
  traits: (_o, scale) => smallNetworkTraits(scale),
  stateElements: (o) => {
    let total = convElements(RGB, o.features);
    for (let i = 0, width = o.features; i < o.depth; i++, width *= 2) total += convElements(width, 2 * width) + convElements(2 * width, width);
    return total + convElements(o.features, RGB);
  },
  trainingMisfit: (o, scale, lrPatch) => patchMisfit(lrPatch * scale, o.depth, `autoencoder with depth ${o.depth}`, lrPatch),
  layouts: [],
});
