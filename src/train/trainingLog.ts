/**
 * A run's log.jsonl: one JSON object a line, appended as the run goes on. An append can be torn (a
 * full disk, SIGKILL or a power cut mid-write), so only lines ending in "\n" are complete, and a line
 * that does not parse as a log line is skipped rather than trusted.
 */

import { parseLogLine, type TrainLogLine, type ValidationScores } from '../serve/runLog.js';

/** A log line, as `serve/runLog.ts` defines it once for the run, the server and the training page. */
export type LogLine = TrainLogLine;

/** What a validation writes: PSNR and SSIM always, NIQE for GAN runs. */
export type Validation = Required<Pick<ValidationScores, 'psnrY' | 'ssimY'>> & Pick<ValidationScores, 'niqe'>;

export function formatLogLine(line: LogLine): string {
  return JSON.stringify(line) + '\n';
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
