import { isEnhanceError } from '../errors.js';
import type { PlannedOutput } from './outputPlan.js';
import { createProgress, silentProgress } from './progress.js';

/**
 * Run `work` on every planned file. A file that fails is reported on one line and the rest go on;
 * the result is the number of failures (the command's exit status depends on it).
 */
export async function runBatch(title: string, plan: readonly PlannedOutput[], work: (entry: PlannedOutput) => Promise<void>): Promise<number> {
  const progress = plan.length > 1 ? createProgress(title, plan.length) : silentProgress;
  let failures = 0;
  for (const entry of plan) {
    try {
      await work(entry);
      progress.advance(`${entry.input} -> ${entry.output}`);
    } catch (error) {
      failures++;
      const message = isEnhanceError(error) ? error.message : `${entry.input}: ${error instanceof Error ? error.message : String(error)}`;
      progress.advance(`${entry.input} failed`);
      process.stderr.write(`enhance: ${message}\n`);
    }
  }
  progress.stop();
  return failures;
}
