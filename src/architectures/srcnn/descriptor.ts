import { z } from 'zod';
import { convElements, defineArchitecture, type TilingTraits } from '../architecture.js';
import { srcnn } from './network.js';

const RGB = 3;

/** SRCNN, the auto-encoder and the U-Net: a few convs, up to 64 features, some at output size. */
export const smallNetworkTraits = (scale: number): TilingTraits => ({
  receptiveRadius: 32,
  bytesPerPixel: 4 * (4 * 256 + 3 * 64 * scale * scale),
  sizeMultiple: 1,
  minimumSize: 1,
});

const size = z.number().int().positive();

/** SRCNN (Dong et al. 2014): three convs on the bicubic-enlarged picture. Our own layout only. */
export const srcnnArchitecture = defineArchitecture({
  name: 'srcnn',
  options: z.object({ k1: size.default(9), k2: size.default(5), k3: size.default(5), f1: size.default(64), f2: size.default(32) }).strict(),
  build: (ctx, x, scale, o) => srcnn(ctx, x, { kernels: [o.k1, o.k2, o.k3], features: [o.f1, o.f2], scale }),
  traits: (_o, scale) => smallNetworkTraits(scale),
  stateElements: (o) => convElements(RGB, o.f1, o.k1) + convElements(o.f1, o.f2, o.k2) + convElements(o.f2, RGB, o.k3),
  layouts: [],
});
