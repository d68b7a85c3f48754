/**
 * A training run's folder as `enhance train` writes it and `enhance serve` and the training page read it:
 * the name of each file, and the format of its log.
 *
 * log.jsonl holds one JSON object a line, appended as the run goes on. An append can be torn (a full
 * disk, SIGKILL or a power cut mid-write), so only lines ending in "\n" are complete, and a line that does
 * not parse as a log line is skipped rather than trusted.
 *
 * The names and the log format are pure, so the training page shares the line types and the line
 * check; `runPaths` and the last three functions (they touch files) are only called from Node.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBufferAtomic } from '../io/atomicWrite.js';

/** What a run folder holds, by name relative to the folder. */
export const RUN_FILES = {
  /** Everything the run needs to continue (`--resume`): weights, optimizer slots, position. */
  checkpoint: 'checkpoint.safetensors',
  log: 'log.jsonl',
  /** The config the run was started with, every default filled in. */
  config: 'config.json',
  /** A sample grid per validation (`sampleFileName`). */
  samples: 'samples',
  /** The trained network, written when the run ends or stops. */
  model: 'model.safetensors',
  plot: 'plot.png',
} as const;

export type RunPaths = { readonly [file in keyof typeof RUN_FILES]: string };

/** The paths of a run folder's files. */
export function runPaths(runDir: string): RunPaths {
  const at = (name: string) => join(runDir, name);
  return {
    checkpoint: at(RUN_FILES.checkpoint),
    log: at(RUN_FILES.log),
    config: at(RUN_FILES.config),
    samples: at(RUN_FILES.samples),
    model: at(RUN_FILES.model),
    plot: at(RUN_FILES.plot),
  };
}

/** The sample grid of the validation at `step`, in `samples/`: zero-padded so names sort by step. */
export function sampleFileName(step: number): string {
  return `step_${String(step).padStart(7, '0')}.png`;
}

/** A sample grid's name (the temporaries of one being written start with a dot and end in .tmp-*). */
export function isSampleFileName(name: string): boolean {
  return /^\w[\w.-]*\.png$/.test(name);
}

/** A folder is a run once `enhance train` has written its config or log into it. */
export function isRunListing(entries: readonly string[]): boolean {
  return entries.includes(RUN_FILES.config) || entries.includes(RUN_FILES.log);
}

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
  /** GAN and real-world runs only (lower: more natural texture). */
  niqe?: number;
}

export function formatLogLine(line: TrainLogLine): string {
  return JSON.stringify(line) + '\n';
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

/** Every complete, well-formed line of a log (its bytes or its text); an unfinished last line and malformed lines are left out. */
export function parseLog(log: Uint8Array | string): TrainLogLine[] {
  const bytes = typeof log === 'string' ? new TextEncoder().encode(log) : log;
  return completeLines(bytes).lines.flatMap((text) => parseLogLine(text) ?? []);
}

/**
 * The log a run resumed from the checkpoint at `step` continues: its complete lines up to that step.
 * Lines after it were logged by steps the resumed run trains again, and would appear twice.
 */
export function logUpToStep(text: string, step: number): TrainLogLine[] {
  return parseLog(text).filter((line) => line.step <= step);
}

/**
 * The log at `path` cut back to the checkpoint at `step` (see `logUpToStep`), and whether that dropped
 * anything: a torn last line, malformed lines, or lines of steps after the checkpoint. No log: no lines.
 */
export async function readLogUpToStep(path: string, step: number): Promise<{ lines: TrainLogLine[]; cutBack: boolean }> {
  if (!existsSync(path)) return { lines: [], cutBack: false };
  const text = await readFile(path, 'utf8');
  const lines = logUpToStep(text, step);
  return { lines, cutBack: lines.map(formatLogLine).join('') !== text };
}

/** Writes the log anew with `lines` (atomically: a reader sees the old log or the new one). */
export async function writeLog(path: string, lines: readonly TrainLogLine[]): Promise<void> {
  await writeBufferAtomic(path, lines.map(formatLogLine).join(''));
}

export async function appendLogLine(path: string, line: TrainLogLine): Promise<void> {
  await writeFile(path, formatLogLine(line), { flag: 'a' });
}
