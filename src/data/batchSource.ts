import { DegradationProcess } from '../degradation/degradationProcess.js';
import type { DegradationSettings } from '../degradation/degradationSettings.js';
import type { TensorData } from '../graph/tensorData.js';
import type { PatchSampler, PatchSamplerState } from './patchSampler.js';

/** One training batch: `lr` [B, 3, p, p] and `hr` [B, 3, p*s, p*s]. */
export interface TrainingBatch {
  lr: TensorData;
  hr: TensorData;
  [name: string]: TensorData;
}

/**
 * Where training batches come from. `next()` draws everything random at once (the state advances
 * when it returns, before its promise settles) and may finish the batch later, while a step runs.
 */
export interface BatchSource {
  readonly state: PatchSamplerState;
  restore(state: PatchSamplerState): void;
  next(): Promise<TrainingBatch>;
  /** Stops what the source started (the degradation process). */
  close(): Promise<void>;
}

/** The benchmark's pairs: patches of the HR and of its MATLAB-bicubic LR. */
export function bicubicBatches(sampler: PatchSampler): BatchSource {
  return {
    get state() {
      return sampler.state;
    },
    restore: (state) => sampler.restore(state),
    next: () => Promise.resolve(sampler.next()),
    close: () => Promise.resolve(),
  };
}

/**
 * Real-world pairs: each HR patch degraded by Real-ESRGAN's second-order model from its own seed (so
 * the LR of a sample is the same on every run and after a resume), in a child process of the lowest priority.
 */
export function degradedBatches(sampler: PatchSampler, scale: number, settings: DegradationSettings): BatchSource {
  // Started by the first batch: a run refused while it is being prepared (a missing validation
  // folder, a bad checkpoint) must not leave a process behind.
  let degrader: DegradationProcess | undefined;
  return {
    get state() {
      return sampler.state;
    },
    restore: (state) => sampler.restore(state),
    next: async () => {
      const { hr, seeds } = sampler.nextHighResolution();
      const [batch, channels, height, width] = hr.shape;
      degrader ??= new DegradationProcess();
      const lr = await degrader.degrade(hr.data as Float32Array, [batch, channels, height, width], seeds, scale, settings);
      return { hr, lr: { dtype: 'float32', shape: [batch, channels, height / scale, width / scale], data: lr } };
    },
    close: async () => {
      await degrader?.terminate();
      degrader = undefined;
    },
  };
}
