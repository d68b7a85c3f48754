import { defaultModelFor, shippedScales } from '../models/modelFile.js';
import { loadModelRunner } from './loadModelRunner.js';
import type { ModelRunner } from './modelRunner.js';
import { bestModelScale, enlargementOf, outputSize, type PictureSize, type SizeRequest } from './outputSize.js';
import { DEFAULT_SCALE, type Precision } from './upscaleOptions.js';

/** What decides the model of an upscale. */
export interface ModelChoice extends SizeRequest {
  method?: string;
  model?: string;
  threads?: number;
  precision?: Precision;
}

/**
 * The model for a picture (or every frame of a video) of this size: the one named, or the shipped
 * default that reaches the asked size in the fewest passes (x3 runs the x4 model once, then shrinks).
 * None for a classical `method`, or without a shipped model (a trimmed install: bicubic then).
 */
export async function modelRunnerFor(input: PictureSize, choice: ModelChoice): Promise<ModelRunner | undefined> {
  if (choice.method) return undefined;
  let name = choice.model;
  if (name === undefined) {
    const scale = bestModelScale(enlargementOf(input, outputSize(input, choice, DEFAULT_SCALE)), shippedScales());
    name = scale === undefined ? undefined : defaultModelFor(scale);
    if (name === undefined) return undefined;
  }
  return loadModelRunner(name, { threads: choice.threads, precision: choice.precision });
}
