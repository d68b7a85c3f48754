import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrainConfig } from '../src/train/trainConfig.js';
import { runTraining } from '../src/train/trainRun.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Seconds per step of `steps` steps after `warmup` (session compile, JIT, the first batches), one run. */
async function secondsPerStep(preset: string, overrides: string[], steps: number, warmup: number): Promise<number> {
  const config = await readTrainConfig(preset, ['data.val=null', 'checkpoint_every=100000', 'log_every=100000', `steps=${steps + warmup}`, ...overrides]);
  const out = await mkdtemp(join(tmpdir(), 'enhance-bench-degrade-'));
  let started = 0;
  try {
    await runTraining(config, { outDir: out, resume: false, onEvent: (event) => event.kind === 'step' && event.step === warmup && (started = performance.now()) });
    return (performance.now() - started) / 1000 / steps;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/**
 * `npm run bench -- degrade [--preset file] [--steps N] [--rounds=N]`: the training step of a photo
 * preset with real-world degradations and the same step on bicubic LR (`degradation=null`), rounds
 * interleaved so machine noise hits both alike; prints the median seconds per step and their ratio.
 */
export async function degradeBench(_datasets: string, rounds: number, args: string[]): Promise<void> {
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const preset = resolve(option('preset', join(here, '../presets/photo-x4-fidelity.yaml')));
  const steps = Number(option('steps', '30'));
  const threads = option('threads', '2');
  const cases = [
    { name: 'bicubic LR', overrides: ['degradation=null', `threads=${threads}`] },
    { name: 'real-world degradations', overrides: [`threads=${threads}`] },
  ];
  console.log(`degrade benchmark: ${preset}, ${steps} steps after 5 of warm-up, ${rounds} interleaved rounds, ${threads} onnxruntime threads`);
  const times = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, c] of cases.entries()) {
      const seconds = await secondsPerStep(preset, c.overrides, steps, 5);
      times[index].push(seconds);
      console.log(JSON.stringify({ bench: 'degrade', round, case: c.name, secondsPerStep: +seconds.toFixed(4) }));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const [bicubic, degraded] = times.map(median);
  console.log(`\nmedian seconds per step: bicubic LR ${bicubic.toFixed(3)}, real-world degradations ${degraded.toFixed(3)}`);
  console.log(JSON.stringify({ bench: 'degrade', ratio: +(degraded / bicubic).toFixed(3), bicubicSecondsPerStep: +bicubic.toFixed(4), degradedSecondsPerStep: +degraded.toFixed(4), bound: 1.2 }));
}
