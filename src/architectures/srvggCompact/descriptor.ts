import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { srvggCompactLayout } from './layouts.js';
import { srvggCompact } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** Real-ESRGAN's SRVGGNetCompact: 3x3 convs + PReLU at LR, PixelShuffle, plus the nearest-enlarged input. The default model. */
export const srvggCompactArchitecture = defineArchitecture({
  name: 'srvgg-compact',
  options: z.object({ features: size.default(48), convs: size.default(10) }).strict(),
  build: (ctx, x, scale, o) => srvggCompact(ctx, x, { ...o, scale }),
  traits: (o, scale) => ({ receptiveRadius: o.convs + 2, bytesPerPixel: 4 * (4 * o.features + 6 * scale * scale), sizeMultiple: 1, minimumSize: 1 }),
  stateElements: (o, scale) =>
    convElements(RGB, o.features) + o.features + o.convs * (convElements(o.features, o.features) + o.features) + convElements(o.features, RGB * scale * scale),
  layouts: [srvggCompactLayout],
});
