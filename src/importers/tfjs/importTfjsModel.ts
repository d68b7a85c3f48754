import { layerProgram } from './layerCalls.js';
import { readModelJson } from './modelJson.js';
import { upscalerjsPixelRange, type PixelRange } from './pixelRange.js';
import { readWeights } from './readWeights.js';
import { tfjsToOnnx } from './tfjsToOnnx.js';

export interface TfjsImportOptions {
  /**
   * The pixel range the network works in (UpscalerJS's inputRange / outputRange). Default: the range of
   * the UpscalerJS package holding model.json, else 255, UpscalerJS's default.
   */
  pixelRange?: PixelRange;
}

/**
 * Convert a TensorFlow.js layers model (model.json + weight shards, e.g. an UpscalerJS package's
 * models/x4/model.json) to ONNX model bytes: input 'input' [1, 3, height, width] RGB in [0, 1], output
 * 'output' [1, 3, height * scale, width * scale] in [0, 1]. TensorFlow.js is not needed.
 */
export async function importTfjsModel(modelJsonPath: string, options: TfjsImportOptions = {}): Promise<Uint8Array> {
  const { model, weightsManifest } = await readModelJson(modelJsonPath);
  const program = layerProgram(model, modelJsonPath);
  const weights = await readWeights(weightsManifest, modelJsonPath);
  const pixelRange = options.pixelRange ?? (await upscalerjsPixelRange(modelJsonPath));
  return tfjsToOnnx(program, weights, pixelRange, modelJsonPath);
}

export type { PixelRange } from './pixelRange.js';
