import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Graph } from '../src/graph/graph.js';
import { buildNetwork, type ModelSpec } from '../src/models/architectures.js';
import { defaultModelFor, saveModel } from '../src/models/modelFile.js';
import { BuildContext, type StateDict } from '../src/nn/buildContext.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Wall time of one whole `enhance upscale` process (start-up, model load, inference, PNG write). */
function timeCli(args: string[]): { ms: number; peakRssMB: number; ok: boolean; error?: string } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(repo, 'bin/enhance.js'), 'upscale', ...args], { encoding: 'utf8' });
  const ms = performance.now() - started;
  const rss = Number(result.stderr.trim().split('\n').pop());
  return { ms: Math.round(ms), peakRssMB: Math.round(rss / 1024), ok: result.status === 0, error: result.status === 0 ? undefined : result.stderr.trim().split('\n')[0] };
}

/**
 * `npm run bench -- upscale`: a 512x512 picture to 2048x2048 with the default x4 model, from the CLI,
 * wall time of the whole process, next to RRDBNet (ESRGAN's generator, random weights) on the same picture.
 */
export async function upscaleBench(datasets: string, rounds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'enhance-bench-'));
  const input = join(dir, 'in512.png');
  await sharp(join(datasets, 'Set14/hr/comic.png')).resize(512, 512, { fit: 'fill' }).png().toFile(input);
  const defaultModel = defaultModelFor(4);
  const rrdbSpec: ModelSpec = { arch: 'rrdbnet', scale: 4, options: {} };
  const rrdbState: StateDict = new Map();
  const graph = new Graph();
  buildNetwork(rrdbSpec, BuildContext.create(graph, rrdbState, { training: false }), graph.input('x', 'float32', [1, 3, 8, 8]));
  const rrdbPath = join(dir, 'rrdbnet.safetensors');
  await saveModel(rrdbPath, rrdbSpec, rrdbState);

  const cases: [string, string[], number][] = [
    ['default x4 model', defaultModel ? ['--model', defaultModel] : ['--method', 'bicubic'], rounds],
    ['bicubic (MATLAB)', ['--method', 'bicubic'], rounds],
    ['RRDBNet 23x64 (random weights)', ['--model', rrdbPath], 1],
  ];
  if (!defaultModel) console.log('note: no shipped x4 model yet; the first case is bicubic');
  for (const [name, args, n] of cases) {
    const runs = Array.from({ length: n }, () => timeCli([input, '-o', join(dir, 'out.png'), ...args]));
    const failed = runs.find((r) => !r.ok);
    if (failed) {
      console.log(JSON.stringify({ bench: 'upscale', case: name, error: failed.error }));
      continue;
    }
    const ms = runs.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    const meta = await sharp(join(dir, 'out.png')).metadata();
    console.log(JSON.stringify({ bench: 'upscale', case: name, input: '512x512', output: `${meta.width}x${meta.height}`, msWall: ms, runs: runs.map((r) => r.ms), peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)) }));
  }
}
