import { z } from 'zod';
import type { Value } from '../graph/value.js';
import type { BuildContext } from '../nn/buildContext.js';
import { autoencoder } from '../nn/networks/autoencoder.js';
import { edsr } from '../nn/networks/edsr.js';
import { msrresnet } from '../nn/networks/msrresnet.js';
import { rrdbnet } from '../nn/networks/rrdbnet.js';
import { srcnn } from '../nn/networks/srcnn.js';
import { unet } from '../nn/networks/unet.js';
import { srresnet } from '../nn/networks/srresnet.js';
import { srvggCompact } from '../nn/networks/srvggCompact.js';

/**
 * The SR networks a model file or a training config can name, each with its hyper-parameters (validated,
 * with the published defaults) and how it builds into a graph for a given scale.
 */
export const ARCHITECTURES = {
  srcnn: {
    options: z
      .object({ k1: z.number().int().positive().default(9), k2: z.number().int().positive().default(5), k3: z.number().int().positive().default(5), f1: z.number().int().positive().default(64), f2: z.number().int().positive().default(32) })
      .strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { k1: number; k2: number; k3: number; f1: number; f2: number }) =>
      srcnn(ctx, x, { kernels: [o.k1, o.k2, o.k3], features: [o.f1, o.f2], scale }),
  },
  autoencoder: {
    options: z.object({ features: z.number().int().positive().default(32), depth: z.number().int().positive().default(2) }).strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { features: number; depth: number }) => autoencoder(ctx, x, { ...o, scale }),
  },
  unet: {
    options: z
      .object({ features: z.number().int().positive().default(32), depth: z.number().int().positive().default(2), learned_upsampler: z.number().int().min(0).max(1).default(0) })
      .strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { features: number; depth: number; learned_upsampler: number }) =>
      unet(ctx, x, { features: o.features, depth: o.depth, upsampler: o.learned_upsampler ? 'learned' : 'bicubic', scale }),
  },
  'srvgg-compact': {
    options: z.object({ features: z.number().int().positive().default(48), convs: z.number().int().positive().default(10) }).strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { features: number; convs: number }) => srvggCompact(ctx, x, { ...o, scale }),
  },
  srresnet: {
    options: z.object({ features: z.number().int().positive().default(64), blocks: z.number().int().positive().default(16) }).strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { features: number; blocks: number }) => srresnet(ctx, x, { ...o, scale }),
  },
  rrdbnet: {
    options: z
      .object({
        features: z.number().int().positive().default(64),
        blocks: z.number().int().positive().default(23),
        growth: z.number().int().positive().default(32),
        // Absent: two, as Real-ESRGAN's RRDBNet; ESRGAN community models have 0 to 3.
        upsamplings: z.number().int().min(0).optional(),
      })
      .strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { features: number; blocks: number; growth: number; upsamplings?: number }) => rrdbnet(ctx, x, { ...o, scale }),
  },
  msrresnet: {
    options: z.object({ features: z.number().int().positive().default(64), blocks: z.number().int().positive().default(16) }).strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { features: number; blocks: number }) => msrresnet(ctx, x, { ...o, scale }),
  },
  edsr: {
    options: z
      .object({
        features: z.number().int().positive().default(64),
        blocks: z.number().int().positive().default(16),
        res_scale: z.number().positive().default(1),
        img_range: z.number().positive().default(255),
      })
      .strict(),
    build: (ctx: BuildContext, x: Value, scale: number, o: { features: number; blocks: number; res_scale: number; img_range: number }) =>
      edsr(ctx, x, { features: o.features, blocks: o.blocks, resScale: o.res_scale, imgRange: o.img_range, scale }),
  },
} as const;

export type ArchitectureName = keyof typeof ARCHITECTURES;
export const ARCHITECTURE_NAMES = Object.keys(ARCHITECTURES) as ArchitectureName[];

/** True for the names of `ARCHITECTURES` only (never '__proto__', 'constructor' or 'toString'). */
export function isArchitectureName(name: string): name is ArchitectureName {
  return Object.hasOwn(ARCHITECTURES, name);
}

/** What a model is: an architecture, its hyper-parameters and its scale. */
export interface ModelSpec {
  arch: ArchitectureName;
  scale: number;
  options: Record<string, number>;
}

/** Build the network a spec describes on input `x` (NCHW RGB in [0, 1]). */
export function buildNetwork(spec: ModelSpec, ctx: BuildContext, x: Value): Value {
  const architecture = isArchitectureName(spec.arch) ? ARCHITECTURES[spec.arch] : undefined;
  if (!architecture) throw new Error(`unknown architecture '${spec.arch}' (known: ${ARCHITECTURE_NAMES.join(', ')})`);
  const options = architecture.options.parse(spec.options);
  return (architecture.build as (ctx: BuildContext, x: Value, scale: number, o: unknown) => Value)(ctx, x, spec.scale, options);
}
