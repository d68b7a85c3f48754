/**
 * A run as the training page's list shows it, read off its config and log. Pure, so the page and the
 * server summarize a run the same way.
 */
import type { TrainLogLine, ValidationScores } from '../runs/runFolderFormat.js';

/** One run, as the training page's list shows it. */
export interface RunSummary {
  name: string;
  /** The last step logged so far. */
  step?: number;
  /** `steps` of the run's config: where the run will stop. */
  totalSteps?: number;
  /** The last training loss logged. */
  loss?: number;
  /** The last validation, with the step it was taken at. */
  val?: ValidationScores & { step: number };
  gan: boolean;
  /** ISO time of the run's last change (log or config written). */
  modified: string;
}

/** A run is a GAN run when its config has a `gan` section or its log has discriminator terms. */
export function isGanRun(config: unknown, log: readonly TrainLogLine[]): boolean {
  if (typeof config === 'object' && config !== null && 'gan' in config && (config as { gan: unknown }).gan != null) return true;
  return log.some((line) => line.terms !== undefined && Object.keys(line.terms).some((key) => key.startsWith('d_')));
}

/** The list entry of a run from its config (undefined when missing or unreadable), log and last change. */
export function summarizeRun(name: string, config: unknown, log: readonly TrainLogLine[], modified: Date): RunSummary {
  const summary: RunSummary = { name, gan: isGanRun(config, log), modified: modified.toISOString() };
  const totalSteps = typeof config === 'object' && config !== null ? (config as { steps?: unknown }).steps : undefined;
  if (typeof totalSteps === 'number') summary.totalSteps = totalSteps;
  if (log.length > 0) summary.step = log.reduce((last, line) => Math.max(last, line.step), -Infinity);
  const lastTraining = log.findLast((line) => typeof line.loss === 'number');
  if (lastTraining) summary.loss = lastTraining.loss;
  const lastValidation = log.findLast((line) => line.val !== undefined);
  if (lastValidation) summary.val = { step: lastValidation.step, ...lastValidation.val };
  return summary;
}
