import { isCancelledError, isEnhanceError } from '../errors.js';
import type { PlannedOutput } from './outputPlan.js';
import { createProgress } from './progress.js';

/** Reports progress inside one file (tiles done of tiles in all). */
export type ItemProgress = (done: number, total: number) => void;

/**
 * Run `work` on every planned file. A file that fails is reported on one line and the rest go on;
 * the result is the number of failures of bad input (the command's exit status depends on it). Once `signal` is
 * aborted (Ctrl-C) no further file starts.
 */
export async function runBatch(
  title: string,
  plan: readonly PlannedOutput[],
  signal: AbortSignal | undefined,
  work: (entry: PlannedOutput, progress: ItemProgress) => Promise<void>,
): Promise<number> {
  const progress = createProgress(title, plan.length);
  let failures = 0;
  for (const entry of plan) {
    if (signal?.aborted) break;
    try {
      await work(entry, (done, total) => progress.inside(entry.input, done, total));
      if (plan.length > 1) progress.advance(`${entry.input} -> ${entry.output}`);
    } catch (error) {
      if (signal?.aborted || isCancelledError(error)) break;
      // Only bad input (this picture, the model file, an option) fails one picture; a bug in enhance
      // stops the batch and is reported as such by the CLI, never blamed on the picture.
      if (!isEnhanceError(error)) {
        progress.stop();
        throw error;
      }
      failures++;
      if (plan.length > 1) progress.advance(`${entry.input} failed`);
      process.stderr.write(`enhance: ${error.message}\n`);
    }
  }
  progress.stop();
  return failures;
}
