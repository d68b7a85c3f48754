/**
 * A training run's log.jsonl as `enhance train` writes it: one JSON object a line, appended while the run
 * goes on. Only lines ending in "\n" are complete; the last one may still be half-written. Pure: no file
 * access, so the training page can share these types and the line check.
 */

/** A training line (`loss`, `lr`, `seconds`, and `terms` for multi-term and GAN runs) or a validation line (`val`). */
export interface TrainLogLine {
  step: number;
  loss?: number;
  lr?: number;
  seconds?: number;
  /** Each loss term and discriminator statistic: `g_*` generator terms, `d_*` discriminator ones. */
  terms?: Record<string, number>;
  val?: ValidationScores;
}

export interface ValidationScores {
  psnrY?: number;
  ssimY?: number;
  /** GAN runs only (lower: more natural texture). */
  niqe?: number;
}

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

const NEWLINE = 0x0a;

/** The complete lines of a log's bytes (without their "\n") and how many bytes they span. */
export function completeLines(bytes: Uint8Array): { lines: string[]; end: number } {
  const end = bytes.lastIndexOf(NEWLINE) + 1;
  if (end === 0) return { lines: [], end: 0 };
  const lines = new TextDecoder().decode(bytes.subarray(0, end - 1)).split('\n');
  return { lines, end };
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'number');
}

/** A log line's object, or undefined when the line is not one (blank, not JSON, no numeric `step`). */
export function parseLogLine(text: string): TrainLogLine | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const line = value as Record<string, unknown>;
  if (typeof line.step !== 'number' || !Number.isFinite(line.step)) return undefined;
  if (line.terms !== undefined && !isNumberRecord(line.terms)) return undefined;
  if (line.val !== undefined && !isNumberRecord(line.val)) return undefined;
  return line as unknown as TrainLogLine;
}

/** Every complete, well-formed line of a log's bytes; malformed lines are skipped. */
export function parseLog(bytes: Uint8Array): TrainLogLine[] {
  return completeLines(bytes).lines.flatMap((text) => parseLogLine(text) ?? []);
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
