import type { StepResult } from '../runtime/trainer.js';
import type { TrainingLine } from './trainingEvents.js';

/**
 * The steps since the last training log line: a line holds their mean loss and the mean of each term,
 * so its numbers do not depend on which step happened to be logged.
 */
export class LossAverages {
  private lossSum = 0;
  private count = 0;
  private termSums: Record<string, number> = {};

  add(result: StepResult): void {
    this.lossSum += result.loss;
    this.count++;
    for (const [name, value] of Object.entries(result.metrics)) this.termSums[name] = (this.termSums[name] ?? 0) + value;
  }

  /** The log line of the steps added since the last one; the next line starts over. */
  take(step: number, lr: number, seconds: number): TrainingLine {
    const line: TrainingLine = { step, loss: this.lossSum / this.count, lr, seconds };
    const terms = Object.entries(this.termSums);
    if (terms.length > 0) line.terms = Object.fromEntries(terms.map(([name, sum]) => [name, sum / this.count]));
    this.lossSum = 0;
    this.count = 0;
    this.termSums = {};
    return line;
  }
}
