import { z } from 'zod';
import { convElements, defineArchitecture } from '../architecture.js';
import { spanLayout } from './layouts.js';
import { span, SPAN_BLOCKS } from './network.js';

const RGB = 3;

/** A Conv3XC's branches: the 1x1 skip, and 1x1 -> 3x3 -> 1x1 twice as wide inside. */
const conv3xcElements = (inChannels: number, outChannels: number) =>
  convElements(inChannels, outChannels, 1) + convElements(inChannels, 2 * inChannels, 1) + convElements(2 * inChannels, 2 * outChannels, 3) + convElements(2 * outChannels, outChannels, 1);

/** SPAN (NTIRE 2024 efficient SR): parameter-free attention over re-parameterised 3x3 convs, six blocks. */
export const spanArchitecture = defineArchitecture({
  name: 'span',
  options: z
    .object({
      features: z.number().int().positive().default(48),
      // 1: the input shifted by the DIV2K mean and x255 (the published models); 0: as it is (a 'no_norm' file).
      normalise: z.number().int().min(0).max(1).default(1),
    })
    .strict(),
  build: (ctx, x, scale, o) => span(ctx, x, { features: o.features, scale, normalise: o.normalise === 1 }),
  traits: (o, scale) => ({
    // Every Conv3XC is one 3x3 conv: head, 3 per block, conv_2, and the upsampler's conv.
    receptiveRadius: 3 * SPAN_BLOCKS + 3,
    // About ten feature maps alive at LR (the four concatenated, a block's three), the shuffled output.
    bytesPerPixel: 4 * (10 * o.features + 6 * scale * scale),
    sizeMultiple: 1,
    minimumSize: 1,
  }),
  stateElements: (o, scale) =>
    conv3xcElements(RGB, o.features) + (3 * SPAN_BLOCKS + 1) * conv3xcElements(o.features, o.features) + convElements(4 * o.features, o.features, 1) + convElements(o.features, RGB * scale * scale),
  layouts: [spanLayout],
});
