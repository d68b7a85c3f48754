import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Graph } from '../src/graph/graph.js';
import { buildNetwork, type ModelSpec } from '../src/architectures/registry.js';
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
/** bench/upscaleCase.ts in its own process: `model input [runs] [tile]`. */
const upscaleCaseProcess = (args: string[]) => timeProcess(join(repo, 'node_modules/.bin/tsx'), [join(repo, 'bench/upscaleCase.ts'), ...args]);
/** The JSON record a timed script prints as its last line. */
const lastRecord = (run: Timed) => JSON.parse(run.stdout.trim().split('\n').pop()!);
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

/** One case's whole-process CLI runs: wall time (median) and peak RSS, reported; the median, or undefined when it failed. */
async function cliCase(name: string, input: string, dir: string, args: string[], rounds: number, label: string): Promise<number | undefined> {
  const runs = Array.from({ length: rounds }, () => enhanceCli([input, '-o', join(dir, 'out.png'), ...args]));
  const failed = runs.find((r) => !r.ok);
  if (failed) {
    report({ case: name, error: failed.error });
    return undefined;
  }
  const meta = await sharp(join(dir, 'out.png')).metadata();
  const msWall = median(runs.map((r) => r.ms));
  report({ case: name, input: label, output: `${meta.width}x${meta.height}x${meta.channels}`, msWall, runs: runs.map((r) => r.ms), peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)) });
  return msWall;
}

/** In-process time per picture after a warm-up (bench/upscaleCase.ts): what a server or a batch pays per picture. */
function inProcessCase(name: string, model: string, input: string, rounds: number): number | undefined {
  const run = upscaleCaseProcess([model, input, String(rounds), 'auto']);
  if (!run.ok) {
    report({ case: name, error: run.error });
    return undefined;
  }
  const record = lastRecord(run);
  report({ case: name, msLoad: record.msLoad, msPerPicture: record.msMedian, runs: record.runs });
  return record.msMedian;
}

const torchScript = join(repo, 'bench/peers/torch_upscale.py');

/** Random weights of `arch` as a PyTorch .pth (Real-ESRGAN's layout), or undefined when PyTorch is not installed. */
function torchWeights(arch: 'rrdbnet' | 'compact' | 'span' | 'swinir-light', dir: string): string | undefined {
  const path = join(dir, `${arch}.pth`);
  const made = spawnSync('/usr/bin/python3', [torchScript, 'make', arch, path], { encoding: 'utf8' });
  return made.status === 0 ? path : undefined;
}

/** PyTorch 1.13 upscaling `input` with `weights` as one whole process (2 threads): wall, forward pass, peak RSS; the wall time. */
function torchCase(name: string, arch: string, weights: string, input: string, dir: string): number | undefined {
  const run = timeProcess('/usr/bin/python3', [torchScript, 'upscale', arch, weights, input, join(dir, 'torch.png'), '--threads', '2']);
  if (!run.ok) {
    report({ case: name, error: run.error });
    return undefined;
  }
  const record = lastRecord(run);
  report({ case: name, msWall: run.ms, msForward: record.ms_forward, peakRssMB: run.peakRssMB });
  return run.ms;
}

const ratio = (what: string, numerator: number | undefined, denominator: number | undefined) => {
  if (numerator !== undefined && denominator !== undefined) report({ ratio: what, value: +(numerator / denominator).toFixed(2) });
};

/**
 * The no-model bench at one size: for the default x4 model and for RealESRGAN_x4plus-shaped RRDBNet
 * weights (random, as a .pth the way users download it), fp32 and int8 (a pre-quantized file) as whole
 * CLI processes with no tiling flags, the default model also in-process per picture, and PyTorch
 * upscaling the same picture with same-shaped weights in the same run.
 */
async function defaultsAtSize(
  datasets: string,
  dir: string,
  size: number,
  rounds: number,
  models: { fp32: string; int8: string; rrdbnet: string; rrdbnetInt8: string; torchRrdbnet?: string; torchCompact?: string; span?: string; swinirLight?: string },
): Promise<void> {
  const rgba = size >= 1024;
  const input = await makeInput(datasets, dir, size, rgba);
  const label = `${size}x${size}${rgba ? ' RGBA' : ''}`;
  const bicubic = await cliCase('bicubic (MATLAB), whole process', input, dir, ['--method', 'bicubic'], rounds, label);
  const fp32 = await cliCase('default x4 model fp32, whole process', input, dir, ['--model', models.fp32], rounds, label);
  const int8 = await cliCase('default x4 model int8, whole process', input, dir, ['--model', models.int8], rounds, label);
  // --memory 768 is the bounded promise: peak RSS under 1.5 GB at 2048x2048 RGBA.
  if (size >= 1024) await cliCase('default x4 model fp32, --memory 768, whole process', input, dir, ['--model', models.fp32, '--memory', '768'], rounds, label);
  const fp32Picture = inProcessCase('default x4 model fp32, in-process per picture', models.fp32, input, rounds);
  const int8Picture = inProcessCase('default x4 model int8, in-process per picture', models.int8, input, rounds);
  const torchCompact = models.torchCompact && size <= 512 ? torchCase('pytorch 1.13 SRVGGNetCompact 48x10 (same shape), whole process', 'compact', models.torchCompact, input, dir) : undefined;
  ratio(`${label} default model: fp32 / int8 whole process`, fp32, int8);
  ratio(`${label} default model: fp32 / int8 in-process per picture`, fp32Picture, int8Picture);
  ratio(`${label} default model fp32 / bicubic whole process`, fp32, bicubic);
  ratio(`${label} default model fp32 / pytorch whole process`, fp32, torchCompact);
  if (size > 512) return;
  // The architectures users download since 2023, on the same .pth files as PyTorch (random weights of the released shapes).
  if (size <= 256) {
    for (const [arch, weights, title] of [['span', models.span, 'SPAN x4 48 features'], ['swinir-light', models.swinirLight, 'SwinIR-light x4']] as const) {
      if (!weights) continue;
      const ours = await cliCase(`${title} .pth, whole process`, input, dir, ['--model', weights], 1, label);
      const theirs = torchCase(`pytorch 1.13 ${title} (same weights), whole process`, arch, weights, input, dir);
      ratio(`${label} ${title}: enhance / pytorch whole process`, ours, theirs);
    }
  }
  const rrdbnet = await cliCase('RRDBNet x4plus-shaped .pth fp32, whole process', input, dir, ['--model', models.rrdbnet], 1, label);
  const rrdbnetInt8 = await cliCase('RRDBNet x4plus-shaped int8, whole process', input, dir, ['--model', models.rrdbnetInt8], 1, label);
  const torch = models.torchRrdbnet ? torchCase('pytorch 1.13 RRDBNet x4plus (same weights), whole process', 'rrdbnet', models.torchRrdbnet, input, dir) : undefined;
  ratio(`${label} RRDBNet: fp32 / int8 whole process`, rrdbnet, rrdbnetInt8);
  ratio(`${label} RRDBNet: enhance fp32 / pytorch whole process`, rrdbnet, torch);
  ratio(`${label} RRDBNet: enhance int8 / pytorch whole process`, rrdbnetInt8, torch);
}

export async function upscaleBench(datasets: string, rounds: number, args: string[] = []): Promise<void> {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${flag}=`))?.split('=')[1];
  };
  const model = value('--model');
  const dir = await mkdtemp(join(tmpdir(), 'enhance-bench-'));

  if (!model) {
    const sizes = (value('--size') ?? '256,512').split(',').map(Number);
    const fp32 = defaultModelFor(4)!;
    const torchRrdbnet = torchWeights('rrdbnet', dir);
    const torchCompact = torchWeights('compact', dir);
    if (!torchRrdbnet) report({ case: 'pytorch', error: 'no PyTorch in /usr/bin/python3 (bash ../shared/peers/scripts/setup.sh installs it): pytorch rows skipped' });
    const rrdbnet = torchRrdbnet ?? (await makeRrdbnet(dir));
    const models = {
      fp32,
      int8: await quantized(fp32, dir, 'default.int8.onnx'),
      rrdbnet,
      rrdbnetInt8: await quantized(rrdbnet, dir, 'rrdbnet.int8.onnx', { crops: 4, cropSize: 64 }),
      torchRrdbnet,
      torchCompact,
      span: torchWeights('span', dir),
      swinirLight: torchWeights('swinir-light', dir),
    };
    for (const size of sizes) await defaultsAtSize(datasets, dir, size, rounds, models);
    return;
  }

  const size = Number(value('--size') ?? 512);
  const input = await makeInput(datasets, dir, size, false);
  const source = await readModelSource(model);
  // The whole picture in one run, as the PyTorch reference runs it (same work); default tiles for information.
  const inProcess = upscaleCaseProcess([model, input, String(rounds), String(size)]);
  if (!inProcess.ok) return report({ case: 'enhance in-process', error: inProcess.error });
  const ours = lastRecord(inProcess);
  report({ case: 'enhance in-process, whole picture', model: ours.model, input: `${size}x${size}`, msLoad: ours.msLoad, msMedian: ours.msMedian, runs: ours.runs, peakRssMB: inProcess.peakRssMB });
  const tiled = upscaleCaseProcess([model, input, '1', 'auto']);
  if (tiled.ok) {
    const record = lastRecord(tiled);
    report({ case: 'enhance in-process, default plan', msMedian: record.msMedian, peakRssMB: tiled.peakRssMB });
  }

  const isEsrgan = source.kind === 'network' && source.spec.arch === 'rrdbnet' && source.spec.scale === 4 && [undefined, 64].includes(source.spec.options.features as number) && [undefined, 23].includes(source.spec.options.blocks as number);
  if (isEsrgan && (size === 128 || size === 256)) {
    const torch = timeProcess('/usr/bin/python3', [join(peers, 'scripts/torch_ref.py'), `infer-rrdb-${size}`, '--threads', '2', '--steps', String(rounds)]);
    if (!torch.ok) report({ case: 'pytorch', error: torch.error });
    else {
      const record = lastRecord(torch);
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
      const record = lastRecord(upscalerjs);
      report({ case: 'UpscalerJS esrgan-thick (tfjs wasm, whole process)', msWall: upscalerjs.ms, msUpscale: record.ms_upscale, peakRssMB: upscalerjs.peakRssMB });
      report({ case: 'enhance esrgan-thick imported (whole process)', msWall: ourThick.ms, peakRssMB: ourThick.peakRssMB });
      report({ ratio: 'enhance / UpscalerJS (whole-process wall)', value: +(ourThick.ms / upscalerjs.ms).toFixed(2) });
    }
  }
}
