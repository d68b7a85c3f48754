import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { realplksrLayout } from './layouts.js';
import { realplksr } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** The options PLKSR and RealPLKSR share; the published models: 64 channels, 28 blocks, a 17x17 kernel on a quarter of them. */
export const plkOptionFields = {
  dim: size.default(64),
  blocks: size.default(28),
  kernel: z.number().int().min(1).refine((k) => k % 2 === 1, { message: 'must be odd' }).default(17),
  split_ratio: z.number().positive().max(1).default(0.25),
  attention: z.number().int().min(0).max(1).default(1),
};

const options = z
  .object({ ...plkOptionFields, norm_groups: size.default(4) })
  .strict()
  .refine((o) => o.dim % o.norm_groups === 0, { message: 'dim must be a multiple of norm_groups', path: ['norm_groups'] });

/** The channels the large kernel sees (the first ones). */
export const largeKernelChannels = (o: { dim: number; split_ratio: number }) => Math.floor(o.dim * o.split_ratio);

/** RealPLKSR: partial large kernel CNN blocks (conv-only, GroupNorm), PixelShuffle. */
export const realplksrArchitecture = defineArchitecture({
  name: 'realplksr',
  options,
  build: (ctx, x, scale, o) =>
    realplksr(ctx, x, { dim: o.dim, blocks: o.blocks, kernel: o.kernel, largeKernelChannels: largeKernelChannels(o), attention: o.attention === 1, normGroups: o.norm_groups, scale }),
  traits: (o, scale) => ({
    // Per block: two 3x3 (DCCM), the large kernel, the attention's 3x3. GroupNorm makes every output
    // depend on the whole tile's statistics: tiles are exact only up to that (whole pictures run as one tile when they fit).
    receptiveRadius: o.blocks * (3 + (o.kernel - 1) / 2) + 2,
    bytesPerPixel: 4 * (8 * o.dim + 6 * scale * scale),
    sizeMultiple: 1,
    minimumSize: 1,
  }),
  stateElements: (o, scale) => {
    const d = o.dim;
    const p = largeKernelChannels(o);
    const block = convElements(d, 2 * d) + convElements(2 * d, d) + convElements(p, p, o.kernel) + (o.attention ? convElements(d, d) : 0) + convElements(d, d, 1) + 2 * d;
    return convElements(RGB, d) + o.blocks * block + convElements(d, RGB * scale * scale);
  },
  layouts: [realplksrLayout],
});
