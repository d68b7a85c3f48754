import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { createImageTensor, type ImageTensor } from '../src/image/tensor.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The shared SR datasets (Set5, Set14, T91, BSD200) live beside the repository, not in it. */
export const datasetsDir = process.env.ENHANCE_DATASETS ?? resolve(repoRoot, '../shared/datasets');
if (!existsSync(join(datasetsDir, 'Set5'))) {
  throw new Error(`the shared datasets are missing: expected Set5 under ${datasetsDir} (set ENHANCE_DATASETS)`);
}

/** Every folder `temporaryDirectory` made in the current test file; removed when the file's tests end. */
const madeDirectories: string[] = [];
afterAll(async () => {
  await Promise.all(madeDirectories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A new empty folder in the system's temporary directory, removed with everything in it after the
 * calling test file's last test (the suite leaves nothing behind; `test/suiteLeavesNoTemporaries` checks).
 */
export async function temporaryDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'enhance-test-'));
  madeDirectories.push(dir);
  return dir;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface MeasuredCliResult extends CliResult {
  /** The process's peak resident memory (VmHWM), sampled every 20 ms. */
  peakRssBytes: number;
  seconds: number;
}

/** The peak resident memory of a running process so far, from /proc (0 once it has gone). */
function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * `runCli`, measured: wall time and peak memory, and killed after `timeoutSeconds` (a hang or a bomb
 * then shows as a failed bound rather than a stuck test).
 */
export async function runCliMeasured(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutSeconds?: number } = {}): Promise<MeasuredCliResult> {
  const start = performance.now();
  let peak = 0;
  let timer: NodeJS.Timeout | undefined;
  const result = await runCli(args, {
    ...options,
    onSpawn: (child) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), (options.timeoutSeconds ?? 30) * 1000);
      timer = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 20);
      child.on('exit', () => clearTimeout(kill));
    },
  });
  clearInterval(timer);
  return { ...result, peakRssBytes: peak, seconds: (performance.now() - start) / 1000 };
}

/** Run the built CLI (`npm test` builds first) the way a user does. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; command?: string[]; onSpawn?: (child: ChildProcess) => void } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const [program, ...prefix] = options.command ?? [process.execPath];
    const child = spawn(program, [...prefix, join(repoRoot, 'bin/enhance.js'), ...args], { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

/** A deterministic pseudo-random image (values on the 8-bit grid unless `continuous`). */
export function randomImage(channels: number, height: number, width: number, seed = 1, continuous = false): ImageTensor {
  const image = createImageTensor(channels, height, width);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < image.data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32;
    image.data[i] = continuous ? u : Math.floor(u * 256) / 255;
  }
  return image;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * Give each test of the calling file its own empty $ENHANCE_HOME (the weights registry), which the
 * CLI processes it spawns inherit; the previous value comes back after each test. Returns a getter
 * for the current test's folder.
 */
export function useTemporaryEnhanceHome(): () => string {
  let home = '';
  const saved = process.env.ENHANCE_HOME;
  beforeEach(async () => {
    home = await temporaryDirectory();
    process.env.ENHANCE_HOME = home;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.ENHANCE_HOME;
    else process.env.ENHANCE_HOME = saved;
  });
  return () => home;
}
