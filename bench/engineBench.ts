import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const peers = process.env.ENHANCE_PEERS ?? resolve(here, '../../shared/peers');

interface CaseResult {
  [key: string]: unknown;
}

function runJson(command: string, args: string[], cwd: string): CaseResult {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = result.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (result.status !== 0 || !line) return { error: (result.stderr || result.stdout).trim().split('\n').slice(-1)[0] ?? `exit ${result.status}` };
  return JSON.parse(line) as CaseResult;
}

/** The PyTorch CPU reference (../shared/peers/scripts/torch_ref.py), same shapes and threads, in the same run. */
function pytorchReference(torchCase: string, steps: number, threads: number): CaseResult {
  const script = join(peers, 'scripts/torch_ref.py');
  if (!existsSync(script)) return { error: `no PyTorch reference script at ${script}` };
  const check = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (check.status !== 0) return { error: 'PyTorch is not installed (apt-get install python3-torch)' };
  return runJson('/usr/bin/python3', [script, torchCase, '--threads', String(threads), '--steps', String(steps)], peers);
}

function engineCase(args: string[]): CaseResult {
  return runJson(process.execPath, ['--import', 'tsx', join(here, 'engineCase.ts'), ...args], resolve(here, '..'));
}

/**
 * `npm run bench -- train-step --model srresnet|rrdbnet` and `npm run bench -- infer --model rrdbnet
 * --size 128|256`: the engine's case and the PyTorch reference, each in a fresh process (so peak RSS is
 * its own), one JSON line each, then the ratio of times.
 */
export async function engineBench(kind: 'train-step' | 'infer', args: string[]): Promise<void> {
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const model = option('model', kind === 'infer' ? 'rrdbnet' : 'srresnet');
  const threads = Number(option('threads', '2'));
  const sizes = kind === 'infer' ? option('size', '128').split(',') : [''];
  for (const size of sizes) {
    const steps = Number(option('steps', kind === 'infer' ? '3' : model === 'srresnet' ? '5' : '2'));
    const ours = engineCase([kind, model, ...(size ? [size] : []), '--steps', String(steps), '--threads', String(threads)]);
    console.log(JSON.stringify(ours));
    const torchCase = kind === 'infer' ? `infer-rrdb-${size}` : model === 'srresnet' ? 'train-srresnet' : 'train-rrdb';
    const reference = pytorchReference(torchCase, steps, threads);
    console.log(JSON.stringify({ bench: kind, reference: 'pytorch-cpu', model, ...(size ? { size: Number(size) } : {}), ...reference }));
    const oursMs = (ours.msPerStep ?? ours.msPerImage) as number | undefined;
    const theirsMs = reference.ms_step_median as number | undefined;
    if (oursMs && theirsMs) {
      console.log(JSON.stringify({ bench: kind, model, ...(size ? { size: Number(size) } : {}), ratio: +(oursMs / theirsMs).toFixed(2), engineMs: oursMs, pytorchMs: theirsMs }));
    }
  }
}
