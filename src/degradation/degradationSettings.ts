import { z } from 'zod';

/**
 * Real-ESRGAN's second-order degradation model as settings, every default the one of
 * `options/train_realesrnet_x4plus.yml` and `realesrgan_dataset.py` (see
 * ../shared/notes/realworld-degradations.md). A training config's `degradation:` key and
 * `enhance degrade --config` take this object; any key left out keeps the reference value.
 */
const range = (low: number, high: number) =>
  z
    .tuple([z.number(), z.number()])
    .default([low, high])
    .refine(([a, b]) => a <= b, { message: 'the first number of a range must not exceed the second' });

const probability = (p: number) => z.number().min(0).max(1).default(p);

const KERNEL_TYPES = ['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso'] as const;
export type KernelType = (typeof KERNEL_TYPES)[number];

export const RESIZE_MODES = ['area', 'bilinear', 'bicubic'] as const;
export type DegradationResizeMode = (typeof RESIZE_MODES)[number];

/** One blur stage: which kernels, how spread, and how often the sinc replaces them. */
const blurStage = (sigma: [number, number], probabilityOfBlur: number) =>
  z
    .object({
      probability: probability(probabilityOfBlur),
      /** Odd kernel sizes, drawn uniformly. */
      sizes: z.array(z.number().int().min(1).max(41).refine((n) => n % 2 === 1, { message: 'kernel sizes must be odd' })).min(1).default([7, 9, 11, 13, 15, 17, 19, 21]),
      types: z.array(z.enum(KERNEL_TYPES)).min(1).default([...KERNEL_TYPES]),
      type_probabilities: z.array(z.number().nonnegative()).default([0.45, 0.25, 0.12, 0.03, 0.12, 0.03]),
      sigma: range(...sigma),
      rotation: range(-Math.PI, Math.PI),
      beta_generalized: range(0.5, 4),
      beta_plateau: range(1, 2),
      sinc_probability: probability(0.1),
    })
    .strict()
    .refine((s) => s.types.length === s.type_probabilities.length, { message: 'types and type_probabilities must have the same length' })
    .prefault({});

/** One random resize: up, down or keep, by one of the modes. */
const resizeStage = (probabilities: [number, number, number], up: [number, number], down: [number, number]) =>
  z
    .object({
      /** Probabilities of up, down and keep. */
      probabilities: z.tuple([z.number().nonnegative(), z.number().nonnegative(), z.number().nonnegative()]).default(probabilities),
      up: range(...up),
      down: range(...down),
      modes: z.array(z.enum(RESIZE_MODES)).min(1).default([...RESIZE_MODES]),
    })
    .strict()
    .prefault({});

/** Additive noise: Gaussian (sigma in 8-bit levels) or else Poisson (scaled shot noise), colour or gray. */
const noiseStage = (sigma: [number, number], poissonScale: [number, number]) =>
  z
    .object({
      gaussian_probability: probability(0.5),
      sigma: range(...sigma),
      poisson_scale: range(...poissonScale),
      gray_probability: probability(0.4),
    })
    .strict()
    .prefault({});

export const degradationSettingsSchema = z
  .object({
    first: z
      .object({
        blur: blurStage([0.2, 3], 1),
        resize: resizeStage([0.2, 0.7, 0.1], [1, 1.5], [0.15, 1]),
        noise: noiseStage([1, 30], [0.05, 3]),
        jpeg_quality: range(30, 95),
      })
      .strict()
      .prefault({}),
    second: z
      .object({
        /** The whole second stage is skipped with probability 1 - this (Real-ESRGAN keeps it always). */
        probability: probability(1),
        blur: blurStage([0.2, 1.5], 0.8),
        resize: resizeStage([0.3, 0.4, 0.3], [1, 1.2], [0.3, 1]),
        noise: noiseStage([1, 25], [0.05, 2.5]),
      })
      .strict()
      .prefault({}),
    final: z
      .object({
        /** Probability of resize + sinc before the JPEG (else JPEG first). */
        resize_first_probability: probability(0.5),
        sinc_probability: probability(0.8),
        sinc_sizes: z.array(z.number().int().min(1).max(41).refine((n) => n % 2 === 1, { message: 'kernel sizes must be odd' })).min(1).default([7, 9, 11, 13, 15, 17, 19, 21]),
        sinc_cutoff: range(Math.PI / 3, Math.PI),
        jpeg_quality: range(30, 95),
        modes: z.array(z.enum(RESIZE_MODES)).min(1).default([...RESIZE_MODES]),
      })
      .strict()
      .prefault({}),
    /**
     * Sharpen the ground truth with an unsharp mask before degrading it (Real-ESRGAN's `gt_usm`): the
     * network learns to give back a crisper picture than the one it was made from.
     */
    sharpen_ground_truth: z
      .object({ weight: z.number().nonnegative().default(0.5), radius: z.number().int().positive().default(50), threshold: z.number().nonnegative().default(10) })
      .strict()
      .nullish(),
  })
  .strict();

export type DegradationSettings = z.output<typeof degradationSettingsSchema>;
export type BlurStageSettings = DegradationSettings['first']['blur'];
export type ResizeStageSettings = DegradationSettings['first']['resize'];
export type NoiseStageSettings = DegradationSettings['first']['noise'];

/** The reference settings. */
export function defaultDegradationSettings(): DegradationSettings {
  return degradationSettingsSchema.parse({});
}
