import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { defaultModelFor, loadModel, SHIPPED_MODELS_DIR } from './modelFile.js';

export interface ShippedModelInfo {
  name: string;
  scale: number;
  arch: string;
  options: Record<string, number | string>;
  parameters: number;
  /** The model `enhance upscale` uses for this scale when none is named. */
  isDefault: boolean;
  /** PSNR-Y of the model's last validation, when the file records it. */
  psnrY?: number;
  /** The set it was measured on ('Set5' when the file does not say: the shipped benchmark models). */
  validationSet?: string;
}

/** The shipped models (models/*.safetensors), for `enhance models` and the web page's menu: each scale's default first. */
export async function listShippedModels(): Promise<ShippedModelInfo[]> {
  let files: string[] = [];
  try {
    files = (await readdir(SHIPPED_MODELS_DIR)).filter((f) => f.endsWith('.safetensors')).sort();
  } catch {
    return [];
  }
  return Promise.all(
    files.map(async (file) => {
      const { spec, info, state } = await loadModel(join(SHIPPED_MODELS_DIR, file));
      const parameters = [...state.values()].reduce((n, t) => n + t.data.length, 0);
      const psnrY = info['val.psnrY'] ? Number(info['val.psnrY']) : undefined;
      const isDefault = defaultModelFor(spec.scale) === join(SHIPPED_MODELS_DIR, file);
      const validation = psnrY !== undefined ? { psnrY, validationSet: info['val.set'] ?? 'Set5' } : {};
      return { name: basename(file, '.safetensors'), scale: spec.scale, arch: spec.arch, options: spec.options, parameters, isDefault, ...validation };
    }),
  ).then((models) => models.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name)));
}

/** The file of a shipped model, if `name` (from a URL) is one. */
export function shippedModelFile(name: string): string | undefined {
  const path = join(SHIPPED_MODELS_DIR, `${name}.safetensors`);
  return /^[\w.-]+$/.test(name) && existsSync(path) ? path : undefined;
}
