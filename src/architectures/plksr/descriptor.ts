import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { largeKernelChannels, plkOptionFields } from '../realplksr/descriptor.js';
import { realplksr } from '../realplksr/network.js';
import { PLKSR_MIXERS, plksrLayout } from './layouts.js';

const RGB = 3;

/** PLKSR (Lee et al. 2024): partial large kernel blocks without normalisation; the network is RealPLKSR's with its mixer and names. */
export const plksrArchitecture = defineArchitecture({
  name: 'plksr',
  options: z
    // The paper's PLKSR mixes channels with CCM.
    .object({ ...plkOptionFields, mixer: z.enum(['ccm', 'iccm', 'dccm']).default('ccm') })
    .strict(),
  build: (ctx, x, scale, o) =>
    realplksr(ctx, x, {
      dim: o.dim,
      blocks: o.blocks,
      kernel: o.kernel,
      largeKernelChannels: largeKernelChannels(o),
      attention: o.attention === 1,
      normGroups: 0,
      scale,
      mixer: { kernels: [...PLKSR_MIXERS[o.mixer]], activation: 'gelu', name: 'channe_mixer' },
      lastOffset: 1,
    }),
  traits: (o, scale) => ({
    receptiveRadius: o.blocks * ((PLKSR_MIXERS[o.mixer][0] + PLKSR_MIXERS[o.mixer][1]) / 2 - 1 + 1 + (o.kernel - 1) / 2) + 2,
    bytesPerPixel: 4 * (8 * o.dim + 6 * scale * scale),
    sizeMultiple: 1,
    minimumSize: 1,
  }),
  stateElements: (o, scale) => {
    const d = o.dim;
    const p = largeKernelChannels(o);
    const [k1, k2] = PLKSR_MIXERS[o.mixer];
    const block = convElements(d, 2 * d, k1) + convElements(2 * d, d, k2) + convElements(p, p, o.kernel) + (o.attention ? convElements(d, d) : 0) + convElements(d, d, 1);
    return convElements(RGB, d) + o.blocks * block + convElements(d, RGB * scale * scale);
  },
  layouts: [plksrLayout],
});
