import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { traitsOf } from '../architectures/registry.js';
import { EnhanceError } from '../errors.js';
import { onnxOf, readModelSource } from '../models/modelSource.js';
import { calibrationCrops } from './calibrationCrops.js';
import { quantizeModel, type QuantizeOptions } from './quantizeModel.js';

/** The pictures a model is calibrated on when no folder is given: the package's samples. */
export const DEFAULT_CALIBRATION_DIR = resolve(fileURLToPath(import.meta.url), '../../../samples');

export interface QuantizeFileOptions extends Partial<QuantizeOptions> {
  /** Folder of pictures whose crops calibrate the activation ranges. */
  calibration?: string;
  /** Crops in all, and their side in input pixels. */
  crops?: number;
  cropSize?: number;
}

/**
 * Any model file enhance reads (our networks, .pth, .onnx, ncnn, TF.js) as an int8 QDQ ONNX model,
 * its activations calibrated on crops of the calibration pictures (min-max by default: measured better
 * than percentile on Real-ESRGAN's RRDBNet, whose rare large activations carry detail).
 */
export async function quantizeModelFile(path: string, options: QuantizeFileOptions = {}): Promise<{ onnx: Uint8Array; description: string }> {
  const source = await readModelSource(path);
  if (source.kind === 'network' && traitsOf(source.spec).perShapeGraph) {
    throw new EnhanceError(`is ${source.description}: int8 is not available for window-attention models yet (their graphs are built per tile size); use fp32`, { file: path });
  }
  const crops = await calibrationCrops(options.calibration ?? DEFAULT_CALIBRATION_DIR, { size: options.cropSize ?? 96, count: options.crops ?? 32 });
  const onnx = await quantizeModel(onnxOf(source), crops, { method: options.method ?? 'minmax', percentile: options.percentile ?? 0.9999, ...options });
  return { onnx, description: `${source.description}, int8` };
}
