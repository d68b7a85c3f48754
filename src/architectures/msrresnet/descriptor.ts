import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { residualNetworkTraits } from '../srresnet/descriptor.js';
import { msrresnetLayout } from './layouts.js';
import { msrresnet } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** BasicSR's MSRResNet: SRResNet without batch norm, x2/x3 one PixelShuffle stage, x4 two. */
export const msrresnetArchitecture = defineArchitecture({
  name: 'msrresnet',
  options: z.object({ features: size.default(64), blocks: size.default(16) }).strict(),
  build: (ctx, x, scale, o) => msrresnet(ctx, x, { ...o, scale }),
  traits: residualNetworkTraits,
  stateElements: (o, scale) => {
    const nf = o.features;
    const stages = scale === 4 ? [2, 2] : [scale];
    return convElements(RGB, nf) + o.blocks * 2 * convElements(nf, nf) + stages.reduce((sum, f) => sum + convElements(nf, nf * f * f), 0) + convElements(nf, nf) + convElements(nf, RGB);
  },
  trainingMisfit: (_o, scale) => ([2, 3, 4].includes(scale) ? undefined : { key: 'scale', reason: `${scale}: msrresnet trains at x2, x3 or x4` }),
  layouts: [msrresnetLayout],
});
