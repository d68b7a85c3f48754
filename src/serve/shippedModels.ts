import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { defaultModelFor, loadModel, SHIPPED_MODELS_DIR } from '../models/modelFile.js';
import { onnxOf } from '../models/modelBytes.js';

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

const exported = new Map<string, Promise<Uint8Array>>();

/**
 * A shipped model as the ONNX graph the page runs (the same export as `enhance export`), built once per
 * server. undefined when there is no shipped model of that name.
 */
export async function shippedModelOnnx(name: string): Promise<Uint8Array | undefined> {
  if (!/^[\w.-]+$/.test(name)) return undefined;
  const models = await listShippedModels();
  if (!models.some((m) => m.name === name)) return undefined;
  let onnx = exported.get(name);
  if (!onnx) {
    onnx = loadModel(join(SHIPPED_MODELS_DIR, `${name}.safetensors`)).then(({ spec, state }) => onnxOf({ kind: 'network', spec, state, description: name }));
    exported.set(name, onnx);
  }
  return onnx;
}
