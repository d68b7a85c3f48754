import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { degradationSettingsSchema } from '../degradation/degradationSettings.js';
import { describeZodError, EnhanceError } from '../errors.js';
import { ARCHITECTURE_NAMES, architectureNamed, type ArchitectureName } from '../architectures/registry.js';
import { MAX_TENSOR_ELEMENTS } from '../models/modelLimits.js';

const pixelLossTerm = z
  .object({
    type: z.enum(['l1', 'mse', 'charbonnier', 'ssim', 'hfen']),
    weight: z.number().positive().default(1),
  })
  .strict();

/** A VGG feature loss (SRGAN: relu5_4 + mse; ESRGAN: conv5_4 before activation + l1; Johnson: vgg16 relu3_3). */
const perceptualLossTerm = z
  .object({
    type: z.literal('perceptual'),
    weight: z.number().positive().default(1),
    network: z.enum(['vgg16', 'vgg19']).default('vgg19'),
    layers: z.record(z.string(), z.number()),
    criterion: z.enum(['l1', 'mse']).default('l1'),
    /**
     * Where the VGG weights come from: the registered ones (default; `enhance weights add vgg19 <file>`),
     * a weights file, or random:<seed> (random features: no ImageNet weights needed).
     */
    weights: z.string().optional(),
    /** Tests only: a VGG with every width divided by this. */
    width_divisor: z.number().int().positive().default(1),
  })
  .strict();

const lossTerm = z.union([pixelLossTerm, perceptualLossTerm]);

const optimizerSchema = z
  .object({
    type: z.enum(['adam', 'adamw', 'sgd']),
    lr: z.number().positive(),
    betas: z.tuple([z.number(), z.number()]).default([0.9, 0.999]),
    momentum: z.number().nonnegative().default(0.9),
    weight_decay: z.number().nonnegative().default(0),
  })
  .strict();

const schedule = z.discriminatedUnion('type', [
  z.object({ type: z.literal('constant') }).strict(),
  z.object({ type: z.literal('cosine'), min_lr: z.number().nonnegative().default(1e-7), warmup_steps: z.number().int().nonnegative().default(0) }).strict(),
  z.object({ type: z.literal('multistep'), milestones: z.array(z.number().int().positive()), gamma: z.number().positive().default(0.5) }).strict(),
]);

/** A training run, as a user writes it (YAML or JSON). Paths are relative to the config file. */
export const trainConfigSchema = z
  .object({
    name: z.string().min(1),
    scale: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(8)]),
    seed: z.number().int().default(0),
    model: z.object({ arch: z.enum(ARCHITECTURE_NAMES as [ArchitectureName, ...ArchitectureName[]]), options: z.record(z.string(), z.union([z.number(), z.string()])).default({}) }).strict(),
    data: z
      .object({
        train: z.array(z.string()).min(1),
        val: z.string().nullish(),
        /** LR pictures of the validation set, paired by name (made by `enhance degrade`); without it, MATLAB bicubic of `val`. */
        val_lr: z.string().nullish(),
        lr_patch: z.number().int().min(8),
        batch: z.number().int().positive(),
        patches_per_image: z.number().int().positive().default(19),
        augment: z.boolean().default(true),
      })
      .strict(),
    /**
     * Train on real-world degradations (Real-ESRGAN's second-order model) instead of the bicubic LR;
     * `{}` takes the reference settings.
     */
    degradation: degradationSettingsSchema.nullish(),
    loss: z.array(lossTerm).min(1).default([{ type: 'l1', weight: 1 }]),
    optimizer: optimizerSchema,
    schedule: schedule.default({ type: 'constant' }),
    /** Adversarial training: a discriminator (critic) trained against the generator, step by step. */
    gan: z
      .object({
        discriminator: z.object({ arch: z.enum(['vgg', 'unet']), options: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}) }).strict(),
        loss: z.enum(['vanilla', 'ragan', 'wgan-gp', 'hinge', 'lsgan']),
        /** Weight of the adversarial term in the generator's loss (SRGAN 1e-3, ESRGAN 5e-3). */
        weight: z.number().positive(),
        /** WGAN-GP's gradient penalty weight (lambda). */
        gp_weight: z.number().nonnegative().default(10),
        /** Discriminator steps per generator step (WGAN-GP: 5). */
        critic_steps: z.number().int().positive().default(1),
        /** Discriminator-only steps on the starting generator's outputs before both train (fastai's recipe). */
        pretrain_steps: z.number().int().nonnegative().default(0),
        optimizer: optimizerSchema,
        schedule: schedule.default({ type: 'constant' }),
      })
      .strict()
      .optional(),
    steps: z.number().int().positive(),
    ema: z.number().min(0).max(1).optional(),
    /** Start from the weights of this model file (fine-tuning, or a second schedule after a first). */
    init_from: z.string().nullish(),
    clip_grad_norm: z.number().positive().optional(),
    val_every: z.number().int().positive().default(500),
    checkpoint_every: z.number().int().positive().default(250),
    log_every: z.number().int().positive().default(25),
    threads: z.number().int().positive().optional(),
  })
  .strict();

export type TrainConfig = z.output<typeof trainConfigSchema>;

/**
 * The most parameters and buffers a trained network may have. Bounded by the largest tensor a
 * checkpoint reader accepts, so every checkpoint a run writes can be resumed (a network this size
 * has no tensor above it). That is 16 times RRDBNet (16.7 M) and 6 times HAT-L (40.8 M), the largest
 * SR networks in use; with gradients, Adam's slots and EMA it already takes over 5 GB before any
 * activation. A config over it is a mistake (a typo'd `features: 100000`), not an experiment. The
 * total is bounded rather than each option because options multiply (features² x blocks): bounds per
 * key would either refuse real networks or let absurd combinations through.
 */
export const MAX_TRAINED_ELEMENTS = MAX_TENSOR_ELEMENTS;

/**
 * The model's options checked by its architecture's own schema (an unknown key or a value the network
 * cannot take is an error naming `model.options.<key>`), with the defaults filled in; refused when
 * the network would be absurdly large, or cannot train at the scale and patch size: all before
 * anything is built or allocated.
 */
function checkedModelOptions(model: { arch: ArchitectureName; options: Record<string, number | string> }, scale: number, lrPatch: number, file: string): Record<string, number | string> {
  const { arch } = model;
  const architecture = architectureNamed(arch);
  if (!architecture) throw new EnhanceError(`bad config: 'model.arch' is not one of ${ARCHITECTURE_NAMES.join(', ')}`, { file });
  const parsed = architecture.options.safeParse(model.options);
  if (!parsed.success) throw new EnhanceError(`bad config: ${describeZodError(parsed.error, model.options, 'model.options')}`, { file });
  const options = parsed.data;
  const elements = architecture.stateElements(options, scale);
  if (!(elements <= MAX_TRAINED_ELEMENTS)) {
    const count = Number.isFinite(elements) ? Math.round(elements).toLocaleString('en-US') : 'too many';
    throw new EnhanceError(
      `bad config: 'model.options' ${JSON.stringify(model.options)} make a network of ${count} parameters (${arch}); at most ${MAX_TRAINED_ELEMENTS.toLocaleString('en-US')} can be trained`,
      { file },
    );
  }
  const misfit = architecture.trainingMisfit?.(options, scale, lrPatch);
  if (misfit) throw new EnhanceError(`bad config: '${misfit.key}' ${misfit.reason}`, { file });
  return options;
}

/**
 * Apply `key.path=value` overrides (value in YAML syntax) to a parsed config, e.g. 'steps=200' or
 * 'data.train=[photos]', so a preset can be run at another size without copying it.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[], file: string): unknown {
  const root = (raw ?? {}) as Record<string, unknown>;
  for (const override of overrides) {
    const at = override.indexOf('=');
    if (at <= 0) throw new EnhanceError(`bad --set '${override}': expected key.path=value`, { file });
    const path = override.slice(0, at).split('.');
    let node = root;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = YAML.parse(override.slice(at + 1));
  }
  return root;
}

/** Parse and validate a config text; an unknown key or a bad value is one error naming the key. */
export function parseTrainConfig(text: string, file: string, overrides: readonly string[] = []): TrainConfig {
  let raw: unknown;
  try {
    raw = applyOverrides(file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text), overrides, file);
  } catch (error) {
    if (error instanceof EnhanceError) throw error;
    throw new EnhanceError(`cannot parse: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { file });
  }
  const parsed = trainConfigSchema.safeParse(raw);
  if (!parsed.success) throw new EnhanceError(`bad config: ${describeZodError(parsed.error, raw)}`, { file });
  const base = dirname(file);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const config = parsed.data;
  return {
    ...config,
    model: { arch: config.model.arch, options: checkedModelOptions(config.model, config.scale, config.data.lr_patch, file) },
    init_from: config.init_from ? at(config.init_from) : undefined,
    data: { ...config.data, train: config.data.train.map(at), val: config.data.val ? at(config.data.val) : undefined, val_lr: config.data.val_lr ? at(config.data.val_lr) : undefined },
  };
}

export async function readTrainConfig(file: string, overrides: readonly string[] = []): Promise<TrainConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new EnhanceError('no such config file', { file });
  }
  return parseTrainConfig(text, file, overrides);
}
