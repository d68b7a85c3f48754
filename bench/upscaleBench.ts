import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Graph } from '../src/graph/graph.js';
import { buildNetwork, type ModelSpec } from '../src/models/architectures.js';
import { defaultModelFor, saveModel } from '../src/models/modelFile.js';
import { readModelSource } from '../src/models/modelSource.js';
import { BuildContext, type StateDict } from '../src/nn/buildContext.js';
import { writeBufferAtomic } from '../src/io/atomicWrite.js';
import { quantizeModelFile, type QuantizeFileOptions } from '../src/quantize/quantizeModelFile.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const peers = resolve(repo, '../shared/peers');

interface Timed {
  ms: number;
  peakRssMB: number;
  ok: boolean;
  stdout: string;
  error?: string;
}

/** Wall time and peak RSS (GNU time) of one whole process. */
function timeProcess(command: string, args: string[], cwd = repo): Timed {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { encoding: 'utf8', cwd, maxBuffer: 1 << 26 });
  const ms = performance.now() - started;
  const rss = Number(result.stderr.trim().split('\n').pop());
  const ok = result.status === 0;
  return { ms: Math.round(ms), peakRssMB: Math.round(rss / 1024), ok, stdout: result.stdout, error: ok ? undefined : result.stderr.trim().split('\n').slice(-3).join(' | ') };
}

const enhanceCli = (args: string[]) => timeProcess(process.execPath, [join(repo, 'bin/enhance.js'), 'upscale', ...args]);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A test picture: a Set14 photo resized to size x size; RGBA with a radial alpha when `rgba`. */
async function makeInput(datasets: string, dir: string, size: number, rgba: boolean): Promise<string> {
  const path = join(dir, `in${size}${rgba ? 'rgba' : ''}.png`);
  const rgb = await sharp(join(datasets, 'Set14/hr/comic.png')).resize(size, size, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  if (!rgba) {
    await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).png().toFile(path);
    return path;
  }
  const alpha = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) alpha[y * size + x] = Math.max(0, 255 - Math.round((Math.hypot(x - size / 2, y - size / 2) / (size / 2)) * 255));
  await sharp(rgb, { raw: { width: size, height: size, channels: 3 } }).joinChannel(alpha, { raw: { width: size, height: size, channels: 1 } }).png().toFile(path);
  return path;
}

/** ESRGAN's generator with random weights, in Real-ESRGAN's key layout (read through architecture detection). */
async function makeRrdbnet(dir: string): Promise<string> {
  const spec: ModelSpec = { arch: 'rrdbnet', scale: 4, options: {} };
  const state: StateDict = new Map();
  const graph = new Graph();
  buildNetwork(spec, BuildContext.create(graph, state, { training: false }), graph.input('x', 'float32', [1, 3, 8, 8]));
  const path = join(dir, 'rrdbnet-x4.safetensors');
  await saveModel(path, spec, state);
  return path;
}

/** `model` quantized to int8 (calibrated on the package's samples), written beside the other bench files. */
async function quantized(model: string, dir: string, name: string, options: QuantizeFileOptions = {}): Promise<string> {
  const path = join(dir, name);
  await writeBufferAtomic(path, (await quantizeModelFile(model, { threads: 2, ...options })).onnx);
  return path;
}

function report(record: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: 'upscale', ...record }));
}

/** Whole-process CLI runs of each case: wall time (median) and peak RSS. */
async function cliCases(input: string, dir: string, cases: [string, string[], number][], size: number, rgba: boolean): Promise<Map<string, number>> {
  const wall = new Map<string, number>();
  for (const [name, args, rounds] of cases) {
    const runs = Array.from({ length: rounds }, () => enhanceCli([input, '-o', join(dir, 'out.png'), ...args]));
    const failed = runs.find((r) => !r.ok);
    if (failed) {
      report({ case: name, error: failed.error });
      continue;
    }
    const meta = await sharp(join(dir, 'out.png')).metadata();
    wall.set(name, median(runs.map((r) => r.ms)));
    report({ case: name, input: `${size}x${size}${rgba ? ' RGBA' : ''}`, output: `${meta.width}x${meta.height}x${meta.channels}`, msWall: wall.get(name), runs: runs.map((r) => r.ms), peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)) });
  }
  return wall;
}

/**
 * `npm run bench -- upscale [--size N] [--model FILE] [--rounds=N]`
 * - without --model: the default x4 model, MATLAB bicubic and RRDBNet on an N x N picture (RGBA from 1024 up),
 *   whole CLI processes: wall time and peak RSS;
 * - with --model: that model, timed in-process after a warm-up next to PyTorch running the same network
 *   (RRDBNet 23x64 x4, ../shared/peers/scripts/torch_ref.py) in the same run, and, when UpscalerJS is
 *   installed in ../shared/peers, esrgan-thick through UpscalerJS (tfjs wasm) next to the same weights imported by us.
 */
export async function upscaleBench(datasets: string, rounds: number, args: string[] = []): Promise<void> {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${flag}=`))?.split('=')[1];
  };
  const size = Number(value('--size') ?? 512);
  const model = value('--model');
  const dir = await mkdtemp(join(tmpdir(), 'enhance-bench-'));

  if (!model) {
    const rgba = size >= 1024;
    const input = await makeInput(datasets, dir, size, rgba);
    const defaultModel = defaultModelFor(4)!;
    const cases: [string, string[], number][] = [
      ['default x4 model', ['--model', defaultModel], rounds],
      ['bicubic (MATLAB)', ['--method', 'bicubic'], rounds],
    ];
    // No flags plans with half of the free memory; --memory 768 is the bounded promise (peak under 1.5 GB at 2048x2048 RGBA).
    if (size >= 1024) cases.push(['default x4 model, --memory 768', ['--model', defaultModel, '--memory', '768'], rounds]);
    cases.push(['default x4 model, int8', ['--model', await quantized(defaultModel, dir, 'default.int8.onnx')], rounds]);
    if (size <= 512) {
      const rrdbnet = await makeRrdbnet(dir);
      cases.push(['RRDBNet 23x64 (random weights)', ['--model', rrdbnet], 1]);
      cases.push(['RRDBNet 23x64 (random weights), int8', ['--model', await quantized(rrdbnet, dir, 'rrdbnet.int8.onnx', { crops: 4, cropSize: 64 })], 1]);
    }
    const wall = await cliCases(input, dir, cases, size, rgba);
    for (const [fp32, int8] of [['default x4 model', 'default x4 model, int8'], ['RRDBNet 23x64 (random weights)', 'RRDBNet 23x64 (random weights), int8']]) {
      if (wall.has(fp32) && wall.has(int8)) report({ ratio: `${fp32}: fp32 / int8 wall`, value: +(wall.get(fp32)! / wall.get(int8)!).toFixed(2) });
    }
    if (wall.has('default x4 model') && wall.has('bicubic (MATLAB)')) report({ ratio: 'default model / bicubic wall', value: +(wall.get('default x4 model')! / wall.get('bicubic (MATLAB)')!).toFixed(2) });
    return;
  }

  const input = await makeInput(datasets, dir, size, false);
  const source = await readModelSource(model);
  // The whole picture in one run, as the PyTorch reference runs it (same work); default tiles for information.
  const inProcess = timeProcess(join(repo, 'node_modules/.bin/tsx'), [join(repo, 'bench/upscaleCase.ts'), model, input, String(rounds), String(size)]);
  if (!inProcess.ok) return report({ case: 'enhance in-process', error: inProcess.error });
  const ours = JSON.parse(inProcess.stdout.trim().split('\n').pop()!);
  report({ case: 'enhance in-process, whole picture', model: ours.model, input: `${size}x${size}`, msLoad: ours.msLoad, msMedian: ours.msMedian, runs: ours.runs, peakRssMB: inProcess.peakRssMB });
  const tiled = timeProcess(join(repo, 'node_modules/.bin/tsx'), [join(repo, 'bench/upscaleCase.ts'), model, input, '1', 'auto']);
  if (tiled.ok) {
    const record = JSON.parse(tiled.stdout.trim().split('\n').pop()!);
    report({ case: 'enhance in-process, default auto tiles (768 MB budget)', msMedian: record.msMedian, peakRssMB: tiled.peakRssMB });
  }

  const isEsrgan = source.kind === 'network' && source.spec.arch === 'rrdbnet' && source.spec.scale === 4 && [undefined, 64].includes(source.spec.options.features) && [undefined, 23].includes(source.spec.options.blocks);
  if (isEsrgan && (size === 128 || size === 256)) {
    const torch = timeProcess('/usr/bin/python3', [join(peers, 'scripts/torch_ref.py'), `infer-rrdb-${size}`, '--threads', '2', '--steps', String(rounds)]);
    if (!torch.ok) report({ case: 'pytorch', error: torch.error });
    else {
      const record = JSON.parse(torch.stdout.trim().split('\n').pop()!);
      const torchMs: number = record.ms_step_median;
      report({ case: "pytorch 1.13 (same network, 2 threads)", msMedian: Math.round(torchMs), runs: record.ms_step_all, peakRssMB: torch.peakRssMB });
      report({ ratio: 'enhance / pytorch (in-process median)', value: +(ours.msMedian / torchMs).toFixed(2) });
    }
  }

  const thick = join(peers, 'node_modules/@upscalerjs/esrgan-thick/models/x4/model.json');
  if (existsSync(thick)) {
    const upscalerjs = timeProcess(process.execPath, [join(peers, 'scripts/upscalerjs_run.js'), 'esrgan-thick', 'wasm', input, join(dir, 'upscalerjs.png')], peers);
    const ourThick = enhanceCli([input, '--model', thick, '-o', join(dir, 'thick.png')]);
    if (!upscalerjs.ok || !ourThick.ok) report({ case: 'esrgan-thick', error: upscalerjs.error ?? ourThick.error });
    else {
      const record = JSON.parse(upscalerjs.stdout.trim().split('\n').pop()!);
      report({ case: 'UpscalerJS esrgan-thick (tfjs wasm, whole process)', msWall: upscalerjs.ms, msUpscale: record.ms_upscale, peakRssMB: upscalerjs.peakRssMB });
      report({ case: 'enhance esrgan-thick imported (whole process)', msWall: ourThick.ms, peakRssMB: ourThick.peakRssMB });
      report({ ratio: 'enhance / UpscalerJS (whole-process wall)', value: +(ourThick.ms / upscalerjs.ms).toFixed(2) });
    }
  }
}
