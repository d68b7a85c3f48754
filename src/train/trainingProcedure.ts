/**
 * What the training loop runs, whatever the kind of run: one step on its batches, the weights a model
 * file gets, a checkpoint. The plain procedure (`plainProcedure.ts`) trains one network on one batch a
 * step; the GAN procedure (`ganProcedure.ts`) trains a generator against a discriminator.
 */
import type { TrainingBatch } from '../data/batchSource.js';
import type { PatchSamplerState } from '../data/patchSampler.js';
import type { TensorData } from '../graph/tensorData.js';
import type { StateDict } from '../nn/buildContext.js';
import type { StepResult } from '../runtime/trainer.js';
import { EnhanceError } from '../errors.js';

export interface TrainingProcedure {
  /** How many batches one step trains on (a GAN's discriminator takes one per critic step). */
  readonly batchesPerStep: number;
  /**
   * Trains the 0-based step `step` on `batches`; throws an `EnhanceError` when a loss is not a number.
   * The work starts before the returned promise is awaited, so the caller can cut the next batches meanwhile.
   */
  step(batches: readonly TrainingBatch[], step: number): Promise<StepResult>;
  /** The weights a model file gets now (EMA weights where the run keeps them). */
  modelWeights(): Promise<StateDict>;
  /** Writes a checkpoint; `samplerState` is where the batch source stands for the next step. */
  save(path: string, samplerState: PatchSamplerState, seconds: number): Promise<void>;
  /** Ends the worker thread. */
  release(): Promise<void>;
}

/** A network's tensors a procedure starts from; no optimizer state on a fresh run. */
export interface StartingTensors {
  state: StateDict;
  optimizerState?: ReadonlyMap<string, TensorData>;
}

export interface ProcedureStart {
  generator: StartingTensors;
  /** Empty for a run without a discriminator, and for a GAN that starts afresh. */
  discriminator: StartingTensors;
  stepsDone: number;
}

/** The error of a step whose loss is not a number: the 1-based step it happened at, and the setting to lower. */
export function divergedError(step: number, whose: string, loss: number, setting: string, learningRate: number): EnhanceError {
  return new EnhanceError(`training diverged at step ${step}: ${whose} is ${loss}; try a lower '${setting}' (now ${learningRate})`);
}
