import type { ArchitectureName } from '../models/architectures.js';

/** A config value an architecture cannot take: the key as the config spells it, and why. */
export interface ArchitectureMisfit {
  key: string;
  reason: string;
}

const isPowerOfTwo = (n: number) => Number.isInteger(Math.log2(n));

/** Pictures side `side` through `halvings` stride-2 levels and back keep their size only when divisible. */
function patchMisfit(side: number, halvings: number, what: string, lrPatch: number): ArchitectureMisfit | undefined {
  const multiple = 2 ** halvings;
  if (side % multiple === 0) return undefined;
  return { key: 'data.lr_patch', reason: `${lrPatch} does not suit ${what}: the ${side} px side it works on must be a multiple of ${multiple}` };
}

type Options = Readonly<Record<string, number>>;

/**
 * The scales and patch sizes each architecture can train at. The networks refuse the others too, but
 * deep in graph construction, as a shape error that names no config key; checked here, with the
 * config, the error names the key to change. Mirrors `src/nn/networks/`; test/train/networkChecks.test.ts
 * builds every architecture at every scale and compares.
 */
const MISFITS: Record<ArchitectureName, (o: Options, scale: number, lrPatch: number) => ArchitectureMisfit | undefined> = {
  srcnn: () => undefined,
  'srvgg-compact': () => undefined,
  edsr: () => undefined, // x3 is one PixelShuffle stage, the other scales x2 stages
  srresnet: (_o, scale) => (isPowerOfTwo(scale) ? undefined : { key: 'scale', reason: `${scale}: srresnet upsamples in x2 stages, so it trains at x2, x4 or x8` }),
  msrresnet: (_o, scale) => ([2, 3, 4].includes(scale) ? undefined : { key: 'scale', reason: `${scale}: msrresnet trains at x2, x3 or x4` }),
  rrdbnet: (o, scale, lrPatch) => {
    // Real-ESRGAN's layout: the input is pixel-unshuffled by 2^upsamplings / scale, then enlarged by x2 stages.
    const upsamplings = o.upsamplings ?? 2;
    const unshuffle = 2 ** upsamplings / scale;
    if (!isPowerOfTwo(scale)) return { key: 'scale', reason: `${scale}: rrdbnet upsamples in x2 stages, so it trains at x2, x4 or x8` };
    if (unshuffle < 1) {
      return o.upsamplings === undefined
        ? { key: 'scale', reason: `${scale}: rrdbnet with its default 2 upsampling stages trains at x2 or x4 (set 'model.options.upsamplings' to ${Math.log2(scale)})` }
        : { key: 'model.options.upsamplings', reason: `${upsamplings}: ${upsamplings} x2 stages cannot make x${scale} (at least ${Math.log2(scale)} are needed)` };
    }
    if (lrPatch % unshuffle !== 0) return { key: 'data.lr_patch', reason: `${lrPatch} must be a multiple of ${unshuffle}: rrdbnet at x${scale} pixel-unshuffles its input by ${unshuffle}` };
    return undefined;
  },
  unet: (o, scale, lrPatch) => patchMisfit(o.learned_upsampler ? lrPatch : lrPatch * scale, o.depth, `unet with depth ${o.depth}`, lrPatch),
  autoencoder: (o, scale, lrPatch) => patchMisfit(lrPatch * scale, o.depth, `autoencoder with depth ${o.depth}`, lrPatch),
};

/** Why an architecture cannot train with these (parsed) options, scale and LR patch side, if it cannot. */
export function architectureMisfit(arch: ArchitectureName, options: Options, scale: number, lrPatch: number): ArchitectureMisfit | undefined {
  return MISFITS[arch](options, scale, lrPatch);
}
