import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { EnhanceError } from '../errors.js';
import type { StateDict } from '../nn/buildContext.js';
import { ARCHITECTURE_NAMES, ARCHITECTURES, type ArchitectureName, type ModelSpec } from './architectures.js';

/** Shipped models live in the package's models/ folder. */
export const SHIPPED_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

export interface LoadedModel {
  spec: ModelSpec;
  state: StateDict;
  /** Free-form facts stored with the weights (training steps, validation PSNR...). */
  info: Record<string, string>;
}

/**
 * A model file is one .safetensors: the weights, and metadata naming the architecture
 * ('enhance.arch'), its hyper-parameters ('enhance.options', JSON) and the scale ('enhance.scale').
 */
export async function saveModel(path: string, spec: ModelSpec, state: StateDict, info: Record<string, string> = {}): Promise<void> {
  await writeSafetensors(path, state, {
    ...info,
    'enhance.format': 'enhance-model-1',
    'enhance.arch': spec.arch,
    'enhance.scale': String(spec.scale),
    'enhance.options': JSON.stringify(spec.options),
  });
}

export async function loadModel(path: string): Promise<LoadedModel> {
  return modelFromSafetensors(await readSafetensors(path), path);
}

/** An enhance model from an already-read safetensors file (its metadata names the architecture). */
export function modelFromSafetensors({ tensors, metadata }: { tensors: StateDict; metadata: Record<string, string> }, path: string): LoadedModel {
  const arch = metadata['enhance.arch'];
  if (!arch) throw new EnhanceError("has no 'enhance.arch' metadata: not an enhance model file", { file: path });
  if (!(arch in ARCHITECTURES)) throw new EnhanceError(`names architecture '${arch}', which is not one of ${ARCHITECTURE_NAMES.join(', ')}`, { file: path });
  const scale = Number(metadata['enhance.scale']);
  if (![1, 2, 3, 4, 8].includes(scale)) throw new EnhanceError(`has a bad scale '${metadata['enhance.scale']}'`, { file: path });
  let options: Record<string, number>;
  try {
    options = JSON.parse(metadata['enhance.options'] ?? '{}');
  } catch {
    throw new EnhanceError("has unreadable 'enhance.options' metadata", { file: path });
  }
  const info = Object.fromEntries(Object.entries(metadata).filter(([k]) => !k.startsWith('enhance.')));
  return { spec: { arch: arch as ArchitectureName, scale, options }, state: tensors, info };
}

/** The shipped model `enhance upscale` uses for a scale when no method or model is given, if there is one. */
export function defaultModelFor(scale: number): string | undefined {
  const path = join(SHIPPED_MODELS_DIR, `compact-x${scale}.safetensors`);
  return existsSync(path) ? path : undefined;
}

/**
 * Names users pick a trade-off by: `default-x4` (the PSNR-oriented default) and `default-x4-gan` (its
 * adversarial fine-tune: more texture, lower PSNR), and the same for other scales when shipped.
 */
const DEFAULT_ALIAS = /^default-x(\d)(-gan)?$/;

/** A shipped model's name ('compact-x4', 'default-x4', 'default-x4-gan') or a path to a model file. */
export function resolveModelPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const alias = DEFAULT_ALIAS.exec(nameOrPath);
  const name = alias ? `compact-x${alias[1]}${alias[2] ?? ''}` : nameOrPath;
  const shipped = join(SHIPPED_MODELS_DIR, `${name}.safetensors`);
  if (existsSync(shipped)) return shipped;
  throw new EnhanceError(`no such model file, and no shipped model of that name (see 'enhance models')`, { file: nameOrPath });
}
