import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { EnhanceError } from '../errors.js';
import type { StateDict } from '../nn/buildContext.js';
import type { ModelSpec } from '../architectures/registry.js';
import { modelFromSafetensors, modelMetadata, type LoadedModel } from './modelMetadata.js';


/** Shipped models live in the package's models/ folder. */
export const SHIPPED_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

/**
 * A model file is one .safetensors: the weights, and metadata naming the architecture
 * ('enhance.arch'), its hyper-parameters ('enhance.options', JSON) and the scale ('enhance.scale').
 */
export async function saveModel(path: string, spec: ModelSpec, state: StateDict, info: Record<string, string> = {}): Promise<void> {
  await writeSafetensors(path, state, modelMetadata(spec, info));
}

export async function loadModel(path: string): Promise<LoadedModel> {
  return modelFromSafetensors(await readSafetensors(path), path);
}

/**
 * The shipped model `enhance upscale` uses for a scale when no method or model is given, if there is
 * one: the photo model (trained on real-world degradations: JPEG, noise, blur, as pictures are found),
 * else the benchmark model (trained on clean bicubic LR, the best on Set5-style inputs).
 */
export function defaultModelFor(scale: number): string | undefined {
  return [`photo-x${scale}`, `compact-x${scale}`].map((name) => join(SHIPPED_MODELS_DIR, `${name}.safetensors`)).find((path) => existsSync(path));
}

/** The scales a default model is shipped for ([2, 4] today). */
export function shippedScales(): number[] {
  return [1, 2, 3, 4, 8, 16].filter((scale) => defaultModelFor(scale) !== undefined);
}

/**
 * Names users pick a model by: `default-x4` (the default of the scale, as `defaultModelFor`) and
 * `default-x4-gan` (the benchmark model's adversarial fine-tune: more texture, lower PSNR), and the
 * same for other scales when shipped.
 */
const DEFAULT_ALIAS = /^default-x(\d)(-gan)?$/;

/** A shipped model's name ('photo-x4', 'compact-x4', 'default-x4', 'default-x4-gan') or a path to a model file. */
export function resolveModelPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const alias = DEFAULT_ALIAS.exec(nameOrPath);
  if (alias && !alias[2]) {
    const path = defaultModelFor(Number(alias[1]));
    if (path) return path;
  }
  const name = alias ? `compact-x${alias[1]}${alias[2] ?? ''}` : nameOrPath;
  const shipped = join(SHIPPED_MODELS_DIR, `${name}.safetensors`);
  if (existsSync(shipped)) return shipped;
  throw new EnhanceError(`no such model file, and no shipped model of that name (see 'enhance models')`, { file: nameOrPath });
}
