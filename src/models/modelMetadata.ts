import { describeZodError, EnhanceError } from '../errors.js';
import type { StateDict } from '../nn/buildContext.js';
import { ARCHITECTURE_NAMES, architectureNamed, type AnyArchitecture, type ModelSpec } from '../architectures/registry.js';
import { describeMisfit, weightsMisfit } from './weightsFit.js';

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

/** The hyper-parameters an enhance model file stores, checked against the architecture's schema. */
function storedOptions(architecture: AnyArchitecture, text: string | undefined, path: string): Record<string, number> {
  let options: unknown;
  try {
    options = JSON.parse(text ?? '{}');
  } catch {
    throw new EnhanceError("has unreadable 'enhance.options' metadata (not JSON)", { file: path });
  }
  const parsed = architecture.options.safeParse(options);
  if (!parsed.success) throw new EnhanceError(`has bad 'enhance.options' for ${architecture.name}: ${describeZodError(parsed.error, options)}`, { file: path });
  return options as Record<string, number>;
}

/**
 * An enhance model from an already-read safetensors file (its metadata names the architecture). The
 * tensors must be exactly the ones the network needs: a missing tensor is never made up.
 */
export function modelFromSafetensors({ tensors, metadata }: { tensors: StateDict; metadata: Record<string, string> }, path: string): LoadedModel {
  const arch = metadata['enhance.arch'];
  if (!arch) throw new EnhanceError("has no 'enhance.arch' metadata: not an enhance model file", { file: path });
  const architecture = architectureNamed(arch);
  if (!architecture) throw new EnhanceError(`names architecture '${arch}', which is not one of ${ARCHITECTURE_NAMES.join(', ')}`, { file: path });
  const scale = Number(metadata['enhance.scale']);
  if (![1, 2, 3, 4, 8].includes(scale)) throw new EnhanceError(`has a bad scale '${metadata['enhance.scale']}'`, { file: path });
  const spec: ModelSpec = { arch, scale, options: storedOptions(architecture, metadata['enhance.options'], path) };
  const misfit = weightsMisfit(spec, tensors);
  if (misfit) throw new EnhanceError(describeMisfit(misfit), { file: path });
  const info = Object.fromEntries(Object.entries(metadata).filter(([k]) => !k.startsWith('enhance.')));
  return { spec, state: tensors, info };
}
