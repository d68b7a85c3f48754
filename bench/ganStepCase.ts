/**
 * `npm run bench -- gan-step`: the generator step and the discriminator step of a GAN preset, timed in
 * one process (same thread, same run), each reported in GFLOP/s of the multiply-adds its whole training
 * graph does (every Conv, ConvTranspose and MatMul of forward, backward and update).
 * usage: tsx bench/ganStepCase.ts [preset] [steps] [key=value overrides...]
 * (presets that need ImageNet VGG weights: add loss.N.weights=random:0)
 */
import { join } from 'node:path';
import { Graph as GraphClass, type Graph } from '../src/graph/graph.js';
import { serializeModel } from '../src/graph/onnx/serializeModel.js';
import { BuildContext, FROZEN_PREFIX } from '../src/nn/buildContext.js';
import { createSession, ort } from '../src/runtime/session.js';
import type { Value } from '../src/graph/value.js';
import { modelSpecOf, optimizerOf } from '../src/train/configParts.js';
import { readTrainConfig } from '../src/train/trainConfig.js';
import { compileGanSteps, discriminator } from '../src/train/ganSteps.js';
import { contentLossTerms } from '../src/train/generatorLoss.js';
import { Trainer } from '../src/runtime/trainer.js';
import type { StateDict } from '../src/nn/buildContext.js';

function shapeSize(shape: readonly (number | string)[]): number {
  return (shape as number[]).reduce((a, b) => a * b, 1);
}

/**
 * The im2col weight gradient gathers patches with a conv whose constant kernel is one-hot: it moves
 * data and multiplies nothing, so it is not counted as work.
 */
function isPatchGather(graph: Graph, w: Value): boolean {
  const [out, inPerGroup, kh, kw] = w.shape as number[];
  return graph.initialValues.has(w) && inPerGroup === 1 && out === kh * kw;
}

/** Multiply-adds of a graph's convolutions and matrix products. */
function graphMacs(graph: Graph): number {
  let macs = 0;
  for (const node of graph.nodes) {
    const type = node.op.type;
    if (type === 'Conv' || type === 'ConvTranspose') {
      if (isPatchGather(graph, node.inputs[1]!)) continue;
      const w = node.inputs[1]!.shape as number[];
      const counted = type === 'Conv' ? node.outputs[0].shape : node.inputs[0]!.shape;
      macs += shapeSize(counted) * w[1] * w[2] * w[3];
    } else if (type === 'MatMul' || type === 'Gemm') {
      const a = node.inputs[0]!.shape as number[];
      macs += shapeSize(node.outputs[0].shape) * a[a.length - 1];
    }
  }
  return macs;
}

const [preset = 'compact-x4-gan', stepsArg = '5', ...overrides] = process.argv.slice(2);
const config = await readTrainConfig(join(import.meta.dirname, '../presets', `${preset}.yaml`), ['init_from=null', ...overrides]);
const spec = modelSpecOf(config);
const states = { generator: new Map() as StateDict, discriminator: new Map() as StateDict };
const macs = { generator: 0, discriminator: 0 };
const steps = compileGanSteps(config, spec, states, await contentLossTerms(config), { generator: optimizerOf(config.optimizer), discriminator: optimizerOf(config.gan!.optimizer) }, {
  generator: (g) => (macs.generator = graphMacs(g)),
  discriminator: (g) => (macs.discriminator = graphMacs(g)),
});
const g = await Trainer.create(steps.generator, states.generator, { threads: 2 });
const d = await Trainer.create(steps.discriminator, states.discriminator, { threads: 2, ...(process.env.PROFILE ? { profilePrefix: process.env.PROFILE } : {}) });
const [n, c, h] = [config.data.batch, 3, config.data.lr_patch];
const random = (size: number) => Float32Array.from({ length: size }, () => Math.random());
const batch = () => ({
  lr: { dtype: 'float32' as const, shape: [n, c, h, h], data: random(n * c * h * h) },
  hr: { dtype: 'float32' as const, shape: [n, c, h * config.scale, h * config.scale], data: random(n * c * h * h * config.scale ** 2) },
  ...(steps.needsEpsilon ? { epsilon: { dtype: 'float32' as const, shape: [n, 1, 1, 1], data: random(n) } } : {}),
});

// The reference for the discriminator's rate: its forward pass alone (inference, no gradient) on the
// same stacked real + generated batch, with the same fed weights: the speed ORT's kernels reach on
// these layer sizes, whatever the gradient formulation.
const forwardGraph = new GraphClass();
const hrSize = h * config.scale;
const judged = forwardGraph.input('x', 'float32', [2 * n, c, hrSize, hrSize]);
const forwardContext = BuildContext.frozen(forwardGraph, states.discriminator, { training: true });
const logits = discriminator(config.gan!, forwardContext, judged);
const forwardMacs = graphMacs(forwardGraph);
const forward = await createSession(serializeModel(forwardGraph, { inputs: [judged, ...forwardContext.frozenInputs!], outputs: [logits] }), { threads: 2 });
const forwardFeeds = () => {
  const tensors = d.tensorMap();
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', random(2 * n * c * hrSize * hrSize), [2 * n, c, hrSize, hrSize]) };
  for (const input of forwardContext.frozenInputs!) feeds[input.name] = tensors.get(input.name.slice(FROZEN_PREFIX.length))!;
  return feeds;
};

const times = { generator: [] as number[], discriminator: [] as number[], 'discriminator forward': [] as number[] };
for (let i = 0; i <= Number(stepsArg); i++) {
  const feeds = forwardFeeds();
  let t = performance.now();
  await forward.run(feeds);
  if (i > 0) times['discriminator forward'].push(performance.now() - t);
  t = performance.now();
  await d.step(batch(), 1e-4, g.tensorMap());
  if (i > 0) times.discriminator.push(performance.now() - t);
  t = performance.now();
  await g.step(batch(), 1e-4, d.tensorMap());
  if (i > 0) times.generator.push(performance.now() - t);
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const allMacs = { ...macs, 'discriminator forward': forwardMacs };
for (const which of ['generator', 'discriminator', 'discriminator forward'] as const) {
  const ms = median(times[which]);
  console.log(JSON.stringify({ bench: 'gan-step', preset, step: which, gmacs: +(allMacs[which] / 1e9).toFixed(1), msMedian: Math.round(ms), gflops: +((2 * allMacs[which]) / ms / 1e6).toFixed(1), runs: times[which].map(Math.round) }));
}
if (process.env.PROFILE) d.endProfiling();
await g.release();
await d.release();
