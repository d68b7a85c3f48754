import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { EnhanceError } from '../errors.js';
import { ARCHITECTURE_NAMES } from '../models/architectures.js';

const lossTerm = z
  .object({
    type: z.enum(['l1', 'mse', 'charbonnier', 'ssim', 'hfen']),
    weight: z.number().positive().default(1),
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
    model: z.object({ arch: z.enum(ARCHITECTURE_NAMES as [string, ...string[]]), options: z.record(z.string(), z.number()).default({}) }).strict(),
    data: z
      .object({
        train: z.array(z.string()).min(1),
        val: z.string().optional(),
        lr_patch: z.number().int().min(8),
        batch: z.number().int().positive(),
        patches_per_image: z.number().int().positive().default(19),
        augment: z.boolean().default(true),
      })
      .strict(),
    loss: z.array(lossTerm).min(1).default([{ type: 'l1', weight: 1 }]),
    optimizer: z
      .object({
        type: z.enum(['adam', 'adamw', 'sgd']),
        lr: z.number().positive(),
        betas: z.tuple([z.number(), z.number()]).default([0.9, 0.999]),
        momentum: z.number().nonnegative().default(0.9),
        weight_decay: z.number().nonnegative().default(0),
      })
      .strict(),
    schedule: schedule.default({ type: 'constant' }),
    steps: z.number().int().positive(),
    ema: z.number().min(0).max(1).optional(),
    clip_grad_norm: z.number().positive().optional(),
    val_every: z.number().int().positive().default(500),
    checkpoint_every: z.number().int().positive().default(250),
    log_every: z.number().int().positive().default(25),
    threads: z.number().int().positive().optional(),
  })
  .strict();

export type TrainConfig = z.output<typeof trainConfigSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${[...issue.path, k].join('.')}'`).join(', ')}`;
  return `'${key}': ${issue.message}`;
}

/** Parse and validate a config text; an unknown key or a bad value is one error naming the key. */
export function parseTrainConfig(text: string, file: string): TrainConfig {
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new EnhanceError(`cannot parse: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { file });
  }
  const parsed = trainConfigSchema.safeParse(raw);
  if (!parsed.success) throw new EnhanceError(`bad config: ${describeIssue(parsed.error.issues[0])}`, { file });
  const base = dirname(file);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const config = parsed.data;
  return { ...config, data: { ...config.data, train: config.data.train.map(at), val: config.data.val ? at(config.data.val) : undefined } };
}

export async function readTrainConfig(file: string): Promise<TrainConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new EnhanceError('no such config file', { file });
  }
  return parseTrainConfig(text, file);
}
