/**
 * One benchmark case of the engine, run in its own process so its peak RSS is its own.
 * usage: tsx bench/engineCase.ts train-step <srresnet|rrdbnet> | infer rrdbnet <size>   [--steps N] [--threads N] [--profile prefix]
 * Prints one JSON line.
 */
import { Graph } from '../src/graph/graph.js';
import { serializeModel } from '../src/graph/onnx/serializeModel.js';
import { abs, sub } from '../src/graph/ops/elementwise.js';
import { mean } from '../src/graph/ops/reduce.js';
import type { Node } from '../src/graph/node.js';
import type { Value } from '../src/graph/value.js';
import { BuildContext, type StateDict } from '../src/nn/buildContext.js';
import { rrdbnet } from '../src/architectures/rrdbnet/network.js';
import { srresnet } from '../src/architectures/srresnet/network.js';
import { adam } from '../src/optim/adam.js';
import { createSession, toOrtTensor } from '../src/runtime/session.js';
import { Trainer } from '../src/runtime/trainer.js';
import { compileTrainingStep } from '../src/runtime/trainingStep.js';

const NETWORKS: Record<string, (ctx: BuildContext, x: Value) => Value> = {
  srresnet: (ctx, x) => srresnet(ctx, x),
  rrdbnet: (ctx, x) => rrdbnet(ctx, x),
};

/** Multiply-accumulates of the Conv nodes of a graph (how the PyTorch reference counts). */
function convMacs(nodes: readonly Node[]): number {
  let macs = 0;
  for (const node of nodes) {
    const w = node.inputs[1]?.shape as number[];
    if (node.op.type === 'Conv') macs += (node.outputs[0].shape as number[]).reduce((a, b) => a * b, 1) * w[1] * w[2] * w[3];
    // A ConvTranspose (the engine's form of convs with few outputs) does input size x Cout/g x kh x kw.
    if (node.op.type === 'ConvTranspose') macs += (node.inputs[0]!.shape as number[]).reduce((a, b) => a * b, 1) * w[1] * w[2] * w[3];
  }
  return macs;
}

function forwardMacs(network: string, shape: number[]): number {
  const graph = new Graph();
  NETWORKS[network](BuildContext.create(graph, new Map(), { training: false }), graph.input('x', 'float32', shape));
  return convMacs(graph.nodes);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function random(size: number): Float32Array {
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = Math.random();
  return data;
}

async function trainStep(network: string, steps: number, threads: number, profile?: string) {
  const batch = 16;
  const lrSize = network === 'srresnet' ? 24 : 32;
  const lrShape = [batch, 3, lrSize, lrSize];
  const hrShape = [batch, 3, lrSize * 4, lrSize * 4];
  const state: StateDict = new Map();
  const started = performance.now();
  const compiled = compileTrainingStep({
    build: (ctx) => {
      const x = ctx.graph.input('lr', 'float32', lrShape);
      const y = ctx.graph.input('hr', 'float32', hrShape);
      return { data: [x, y], loss: mean(abs(sub(NETWORKS[network](ctx, x), y))) };
    },
    optimizer: adam(),
    state,
  });
  const trainer = await Trainer.create(compiled, state, { threads, profilePrefix: profile, ...(optimization ? { optimization } : {}) });
  const buildMs = performance.now() - started;
  const data = {
    lr: { dtype: 'float32' as const, shape: lrShape, data: random(lrShape.reduce((a, b) => a * b, 1)) },
    hr: { dtype: 'float32' as const, shape: hrShape, data: random(hrShape.reduce((a, b) => a * b, 1)) },
  };
  const warmup = performance.now();
  await trainer.step(data, 1e-4);
  const warmupMs = performance.now() - warmup;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await trainer.step(data, 1e-4);
    times.push(performance.now() - t);
  }
  if (profile) trainer.endProfiling();
  const ms = median(times);
  // FLOPs counted as the PyTorch reference counts them: 3 x forward conv MACs x 2.
  const flops = 2 * 3 * forwardMacs(network, lrShape);
  return {
    bench: 'train-step', model: network, batch, lrSize, msPerStep: Math.round(ms), gflops: +(flops / ms / 1e6).toFixed(1),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), msAll: times.map(Math.round), msWarmup: Math.round(warmupMs),
    msBuild: Math.round(buildMs), modelMB: +(compiled.model.length / 1e6).toFixed(1), threads,
  };
}

async function infer(network: string, size: number, steps: number, threads: number, profile?: string) {
  const shape = [1, 3, size, size];
  const state: StateDict = new Map();
  const graph = new Graph();
  const x = graph.input('input', 'float32', shape);
  const y = NETWORKS[network](BuildContext.create(graph, state, { training: false }), x);
  const session = await createSession(serializeModel(graph, { inputs: [x], outputs: [{ name: 'output', value: y }] }), { threads, profilePrefix: profile, ...(optimization ? { optimization } : {}) });
  const feeds = { input: toOrtTensor({ dtype: 'float32', shape, data: random(3 * size * size) }) };
  const warmup = performance.now();
  await session.run(feeds);
  const warmupMs = performance.now() - warmup;
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t);
  }
  if (profile) session.endProfiling();
  const ms = median(times);
  const flops = 2 * forwardMacs(network, shape);
  return {
    bench: 'infer', model: network, size, msPerImage: Math.round(ms), gflops: +(flops / ms / 1e6).toFixed(1),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), msAll: times.map(Math.round), msWarmup: Math.round(warmupMs), threads,
  };
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const threads = Number(option('threads') ?? 2);
const optimization = option('optimization') as 'all' | 'extended' | 'basic' | undefined;
const profile = option('profile');
const [kind, network, size] = args;
if (!NETWORKS[network]) throw new Error(`unknown model ${network}`);
const result =
  kind === 'train-step'
    ? await trainStep(network, Number(option('steps') ?? (network === 'srresnet' ? 5 : 3)), threads, profile)
    : await infer(network, Number(size), Number(option('steps') ?? 3), threads, profile);
console.log(JSON.stringify(result));
