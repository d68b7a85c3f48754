import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { defaultModelFor, loadModel, SHIPPED_MODELS_DIR } from '../models/modelFile.js';

export interface ShippedModelInfo {
  name: string;
  scale: number;
  arch: string;
  parameters: number;
  /** The model `enhance upscale` uses for this scale when none is named. */
  isDefault: boolean;
  /** Set5 PSNR-Y of the model's validation, when the file records it. */
  psnrY?: number;
}

/** The shipped models (models/*.safetensors), for the web page's model menu: each scale's default first. */
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
      return { name: basename(file, '.safetensors'), scale: spec.scale, arch: spec.arch, parameters, isDefault, ...(psnrY !== undefined ? { psnrY } : {}) };
    }),
  ).then((models) => models.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name)));
}

/** The file of a shipped model, if `name` is one (names come from URLs: checked against the list). */
export async function shippedModelFile(name: string): Promise<string | undefined> {
  const models = await listShippedModels();
  return models.some((m) => m.name === name) ? join(SHIPPED_MODELS_DIR, `${name}.safetensors`) : undefined;
}
