/**
 * A run's log.jsonl: one JSON object a line, appended as the run goes on. An append can be torn (a
 * full disk, SIGKILL or a power cut mid-write), so only lines ending in "\n" are complete, and a line
 * that does not parse as a log line is skipped rather than trusted.
 */

export interface Validation {
  psnrY: number;
  ssimY: number;
  /** GAN runs only (lower: more natural texture). */
  niqe?: number;
}

/** A training line (`loss`, `lr`, `seconds`, and `terms` for multi-term and GAN runs) or a validation line (`val`). */
export interface LogLine {
  step: number;
  loss?: number;
  lr?: number;
  seconds?: number;
  /** Each loss term and discriminator statistic (GAN runs), averaged like `loss`. */
  terms?: Record<string, number>;
  val?: Validation;
}

export function formatLogLine(line: LogLine): string {
  return JSON.stringify(line) + '\n';
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'number');
}

/** A complete line's object, or undefined when it is not a log line (not JSON, no numeric `step`). */
export function parseLogLine(text: string): LogLine | undefined {
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
  return line as unknown as LogLine;
}

/** The well-formed complete lines of a log's text; an unfinished last line and malformed lines are left out. */
export function parseLog(text: string): LogLine[] {
  const end = text.lastIndexOf('\n');
  if (end < 0) return [];
  return text.slice(0, end).split('\n').flatMap((line) => parseLogLine(line) ?? []);
}

/**
 * The log a run resumed from the checkpoint at `step` continues: its complete lines up to that step.
 * Lines after it were logged by steps the resumed run trains again, and would appear twice.
 */
export function logUpToStep(text: string, step: number): LogLine[] {
  return parseLog(text).filter((line) => line.step <= step);
}
