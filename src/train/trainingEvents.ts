import type { TrainLogLine } from '../runs/runFolderFormat.js';
import type { Validation } from './validation.js';

/** A training line of the log: the mean loss (and terms) of the steps since the last one. */
export type TrainingLine = TrainLogLine & Required<Pick<TrainLogLine, 'loss' | 'lr' | 'seconds'>>;

/**
 * What a run tells while it goes on, in this order: `repaired` (resuming mended what a killed run left),
 * `start`, then per step `step`, and `log` and `validation` when due. The library prints nothing: the
 * CLI draws these (`cli/trainingProgress.ts`).
 */
export type TrainingEvent =
  | { kind: 'repaired'; what: string[] }
  /** `step` steps are done already (a resumed run), of `steps`; `psnrY` is the last validation's, if any. */
  | { kind: 'start'; step: number; steps: number; psnrY?: number }
  /** Step `step` (1-based: the number of steps done) ended with this loss. */
  | { kind: 'step'; step: number; loss: number }
  | { kind: 'log'; line: TrainingLine }
  | { kind: 'validation'; step: number; scores: Validation };
