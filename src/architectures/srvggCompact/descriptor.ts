import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { srvggCompactLayout } from './layouts.js';
import { srvggCompact } from './network.js';

const RGB = 3;
const size = z.number().int().positive();

/** Real-ESRGAN's SRVGGNetCompact: 3x3 convs + PReLU at LR, PixelShuffle, plus the nearest-enlarged input. The default model. */
export const srvggCompactArchitecture = defineArchitecture({
  name: 'srvgg-compact',
  options: z.object({ features: size.default(48), convs: size.default(10), channels: z.union([z.literal(1), z.literal(3), z.literal(4)]).default(RGB) }).strict(),
  build: (ctx, x, scale, o) => srvggCompact(ctx, x, { ...o, scale }),
  traits: (o, scale) => ({ receptiveRadius: o.convs + 2, bytesPerPixel: 4 * (4 * o.features + 6 * scale * scale), sizeMultiple: 1, minimumSize: 1, channels: o.channels }),
  stateElements: (o, scale) =>
    convElements(o.channels, o.features) + o.features + o.convs * (convElements(o.features, o.features) + o.features) + convElements(o.features, o.channels * scale * scale),
  layouts: [srvggCompactLayout],
});
