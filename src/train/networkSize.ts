import type { ArchitectureName } from '../models/architectures.js';

/** Elements of a k x k conv with bias (torch.nn.Conv2d): weight [out, in, k, k] and bias [out]. */
const conv = (inChannels: number, outChannels: number, kernel = 3) => outChannels * inChannels * kernel * kernel + outChannels;

/** BatchNorm2d: weight, bias, running mean and running variance. */
const batchNorm = (channels: number) => 4 * channels;

const RGB = 3;

type Options = Readonly<Record<string, number>>;

/** Nearest-to-LR convs of a PixelShuffle upsampler: x3 is one stage, other scales x2 stages. */
const shuffleStages = (scale: number): number[] => (scale === 3 ? [3] : Array.from({ length: Math.round(Math.log2(scale)) }, () => 2));

/**
 * Elements of every parameter and buffer a network would hold, from its hyper-parameters alone: a
 * config can then be refused before anything is allocated (building a network allocates its
 * tensors). Each entry mirrors its network in `src/nn/networks/`; `test/train/networkChecks.test.ts`
 * builds every architecture and compares, so the two cannot drift apart unnoticed. Options are
 * the architecture's parsed options (defaults filled in).
 */
const STATE_ELEMENTS: Record<ArchitectureName, (o: Options, scale: number) => number> = {
  srcnn: (o) => conv(RGB, o.f1, o.k1) + conv(o.f1, o.f2, o.k2) + conv(o.f2, RGB, o.k3),
  autoencoder: (o) => {
    let total = conv(RGB, o.features);
    for (let i = 0, width = o.features; i < o.depth; i++, width *= 2) total += conv(width, 2 * width) + conv(2 * width, width);
    return total + conv(o.features, RGB);
  },
  unet: (o, scale) => {
    let total = conv(RGB, o.features) + conv(o.features, o.features);
    for (let level = 1, width = o.features; level <= o.depth; level++, width *= 2) {
      total += conv(width, 2 * width) + conv(2 * width, 2 * width); // down: a double conv
      total += conv(2 * width, width) + conv(2 * width, width) + conv(width, width); // up: upconv, then a double conv over the skip
    }
    return total + conv(o.features, o.learned_upsampler ? RGB * scale * scale : RGB);
  },
  'srvgg-compact': (o, scale) => conv(RGB, o.features) + o.features + o.convs * (conv(o.features, o.features) + o.features) + conv(o.features, RGB * scale * scale),
  srresnet: (o, scale) => {
    const nf = o.features;
    const block = 2 * conv(nf, nf) + 2 * batchNorm(nf) + 1;
    return conv(RGB, nf, 9) + 1 + o.blocks * block + conv(nf, nf) + batchNorm(nf) + Math.round(Math.log2(scale)) * (conv(nf, 4 * nf) + 1) + conv(nf, RGB, 9);
  },
  rrdbnet: (o, scale) => {
    const nf = o.features;
    const gc = o.growth;
    const upsamplings = o.upsamplings ?? 2;
    const unshuffle = 2 ** upsamplings / scale;
    let denseBlock = conv(nf + 4 * gc, nf);
    for (let i = 0; i < 4; i++) denseBlock += conv(nf + i * gc, gc);
    return conv(RGB * unshuffle * unshuffle, nf) + o.blocks * 3 * denseBlock + (upsamplings + 2) * conv(nf, nf) + conv(nf, RGB);
  },
  msrresnet: (o, scale) => {
    const nf = o.features;
    const stages = scale === 4 ? [2, 2] : [scale];
    return conv(RGB, nf) + o.blocks * 2 * conv(nf, nf) + stages.reduce((sum, f) => sum + conv(nf, nf * f * f), 0) + conv(nf, nf) + conv(nf, RGB);
  },
  edsr: (o, scale) => {
    const nf = o.features;
    return conv(RGB, nf) + o.blocks * 2 * conv(nf, nf) + conv(nf, nf) + shuffleStages(scale).reduce((sum, f) => sum + conv(nf, nf * f * f), 0) + conv(nf, RGB);
  },
};

/** How many float32 values the network's parameters and buffers take (Infinity for absurd options). */
export function networkStateElements(arch: ArchitectureName, scale: number, options: Options): number {
  return STATE_ELEMENTS[arch](options, scale);
}
