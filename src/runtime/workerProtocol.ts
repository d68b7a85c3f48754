import type { TensorData } from '../graph/tensorData.js';
import type { SessionOptions } from './session.js';
import type { StepResult } from './trainer.js';
import type { CompiledTrainingStep } from './trainingStep.js';

/** Messages between the main thread and the engine worker (runtime/engineWorker.ts). */
export type WorkerRequest =
  | { kind: 'createTrainer'; name: string; compiled: CompiledTrainingStep; state: [string, TensorData][]; optimizerState?: [string, TensorData][]; stepsDone?: number; options: SessionOptions }
  /** `frozenFrom`: the trainer (on the same thread) whose tensors feed this step's frozen network. */
  | { kind: 'step'; name: string; data: Record<string, TensorData>; learningRate: number; frozenFrom?: string }
  | { kind: 'stateDict'; name: string }
  | { kind: 'optimizerState'; name: string }
  | { kind: 'createSession'; model: Uint8Array | string; options: SessionOptions }
  | { kind: 'run'; feeds: Record<string, TensorData> }
  | { kind: 'release' };

export type WorkerReply =
  | { kind: 'ok' }
  | { kind: 'step'; result: StepResult }
  | { kind: 'tensors'; tensors: [string, TensorData][] }
  | { kind: 'session'; inputNames: string[]; outputNames: string[] }
  | { kind: 'error'; message: string };

export interface Envelope<T> {
  id: number;
  message: T;
}

/** The ArrayBuffers of tensors, to transfer instead of copying. */
export function buffersOf(tensors: Iterable<TensorData>): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of tensors) {
    const buffer = t.data.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength === t.data.byteLength) seen.add(buffer);
  }
  return [...seen];
}
