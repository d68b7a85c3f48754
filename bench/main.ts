import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { degradeBench } from './degradeBench.js';
import { engineBench } from './engineBench.js';
import { resizeBench } from './resizeBench.js';
import { upscaleBench } from './upscaleBench.js';
import { webBench } from './webBench.js';

const suites: Record<string, (datasets: string, rounds: number, args: string[]) => Promise<void>> = {
  degrade: degradeBench,
  resize: resizeBench,
  service: (datasets, rounds, args) => import('./serviceBench.js').then((m) => m.serviceBench(datasets, rounds, args)),
  upscale: upscaleBench,
  video: (datasets, rounds, args) => import('./videoBench.js').then((m) => m.videoBench(datasets, rounds, args)),
  web: webBench,
};

const args = process.argv.slice(2);
if (args[0] === 'gan-step') {
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(dirname(fileURLToPath(import.meta.url)), 'ganStepCase.ts'), ...args.slice(1).filter((a) => !a.startsWith('--'))], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
if (args[0] === 'train-step' || args[0] === 'infer') {
  await engineBench(args[0], args.slice(1));
  process.exit(0);
}
const names = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.match(/^--(size|model|preset|steps|threads)$/));
const roundsArg = args.find((a) => a.startsWith('--rounds='));
const rounds = roundsArg ? Number(roundsArg.split('=')[1]) : names.includes('video') ? 2 : names.includes('upscale') || names.includes('web') || names.includes('degrade') ? 3 : 7;
const datasets = process.env.ENHANCE_DATASETS ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/datasets');

if (names.length === 0 || names.some((n) => !(n in suites))) {
  console.error(`usage: npm run bench -- <${Object.keys(suites).join('|')}> [--rounds=N]`);
  console.error('       npm run bench -- upscale [--size N] [--model FILE]');
  console.error('       npm run bench -- video [--seconds=N] [--flicker-only]');
  console.error('       npm run bench -- degrade [--preset FILE] [--steps N] [--threads N]');
  console.error('       npm run bench -- gan-step [preset] [steps] [key=value...]');
  console.error('       npm run bench -- train-step --model srresnet|rrdbnet [--steps N] [--threads N]');
  console.error('       npm run bench -- infer --model rrdbnet --size 128|256 [--steps N]');
  process.exit(2);
}
if (!existsSync(join(datasets, 'Set14'))) {
  console.error(`bench: the shared datasets are missing at ${datasets} (set ENHANCE_DATASETS)`);
  process.exit(2);
}
for (const name of names) await suites[name](datasets, rounds, args);
