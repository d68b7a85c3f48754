import { EnhanceError } from '../errors.js';
import type { StateDict } from '../nn/buildContext.js';
import { ARCHITECTURE_NAMES, ARCHITECTURES, type ArchitectureName, type ModelSpec } from './architectures.js';

/**
 * What an enhance model file's metadata says, and the metadata to write: 'enhance.arch' (the network),
 * 'enhance.options' (its hyper-parameters, JSON) and 'enhance.scale'. No file access here, so the web
 * page can read models dropped into it.
 */
export interface LoadedModel {
  spec: ModelSpec;
  state: StateDict;
  /** Free-form facts stored with the weights (training steps, validation PSNR...). */
  info: Record<string, string>;
}

/** The safetensors metadata of an enhance model file. */
export function modelMetadata(spec: ModelSpec, info: Record<string, string> = {}): Record<string, string> {
  return { ...info, 'enhance.format': 'enhance-model-1', 'enhance.arch': spec.arch, 'enhance.scale': String(spec.scale), 'enhance.options': JSON.stringify(spec.options) };
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
