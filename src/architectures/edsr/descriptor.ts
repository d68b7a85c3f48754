import { z } from 'zod';
import { convElements, defineArchitecture, pixelShuffleStages } from '../architecture.js';
import { residualNetworkTraits } from '../srresnet/descriptor.js';
import { basicsrEdsrLayout, edsrPytorchLayout } from './layouts.js';
import { edsr } from './network.js';

const RGB = 3;
const size = z.number().int().positive();


/** EDSR (Lim et al. 2017): residual blocks without batch norm, scaled residuals, mean shift. */
export const edsrArchitecture = defineArchitecture({
  name: 'edsr',
  options: z
    .object({ features: size.default(64), blocks: size.default(16), res_scale: z.number().positive().default(1), img_range: z.number().positive().default(255) })
    .strict(),
  build: (ctx, x, scale, o) => edsr(ctx, x, { features: o.features, blocks: o.blocks, resScale: o.res_scale, imgRange: o.img_range, scale }),
  traits: residualNetworkTraits,
  stateElements: (o, scale) => {
    const nf = o.features;
    return convElements(RGB, nf) + o.blocks * 2 * convElements(nf, nf) + convElements(nf, nf) + pixelShuffleStages(scale).reduce((sum, f) => sum + convElements(nf, nf * f * f), 0) + convElements(nf, RGB);
  },
  // x3 is one PixelShuffle stage, the other scales x2 stages: any scale trains.
  layouts: [basicsrEdsrLayout, edsrPytorchLayout],
});
