import { z } from 'zod';
import { batchNormElements, convElements, defineArchitecture, type TilingTraits } from '../architecture.js';
import { powerOfTwoMisfit } from '../trainingFit.js';
import { srresnetLayout } from './layouts.js';
import { srresnet } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** Residual-block networks (SRResNet, MSRResNet, EDSR): two 3x3 convs per block at LR, PixelShuffle stages. */
export const residualNetworkTraits = (o: { features: number; blocks: number }, scale: number): TilingTraits => ({
  receptiveRadius: 2 * o.blocks + 6,
  bytesPerPixel: 4 * (4 * o.features + 3 * o.features * scale * scale),
  sizeMultiple: 1,
  minimumSize: 1,
});

/** SRResNet (SRGAN's generator, Ledig et al. 2017): 16 residual blocks with batch norm, x2 PixelShuffle stages. */
export const srresnetArchitecture = defineArchitecture({
  name: 'srresnet',
  options: z.object({ features: size.default(64), blocks: size.default(16) }).strict(),
  build: (ctx, x, scale, o) => srresnet(ctx, x, { ...o, scale }),
  traits: residualNetworkTraits,
  stateElements: (o, scale) => {
    const nf = o.features;
    const block = 2 * convElements(nf, nf) + 2 * batchNormElements(nf) + 1;
    return convElements(RGB, nf, 9) + 1 + o.blocks * block + convElements(nf, nf) + batchNormElements(nf) + Math.round(Math.log2(scale)) * (convElements(nf, 4 * nf) + 1) + convElements(nf, RGB, 9);
  },
  trainingMisfit: (_o, scale) => powerOfTwoMisfit('srresnet', scale),
  layouts: [srresnetLayout],
});
