import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { mul } from '../../src/graph/ops/elementwise.js';
import { reduceSum } from '../../src/graph/ops/reduce.js';
import { float32Tensor } from '../../src/graph/tensorData.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { spectralNormWeight } from '../../src/nn/spectralNorm.js';
import { sgd } from '../../src/optim/sgd.js';
import { Trainer } from '../../src/runtime/trainer.js';
import { compileTrainingStep } from '../../src/runtime/trainingStep.js';
import { randomFill } from '../autodiff/gradcheck.js';
import { runGraph } from '../graph/runGraph.js';

// A conv weight [3, 2, 2, 2]: spectral norm sees it as a 3 x 8 matrix.
const SHAPE = [3, 2, 2, 2];
const ROWS = 3;
const COLUMNS = 8;
const R = randomFill(24, 11);

// Plain float64 linear algebra, the reference.
const times = (W: ArrayLike<number>, v: ArrayLike<number>) => Array.from({ length: ROWS }, (_, i) => Array.from(v).reduce((s, x, j) => s + W[i * COLUMNS + j] * x, 0));
const timesTransposed = (W: ArrayLike<number>, u: ArrayLike<number>) => Array.from({ length: COLUMNS }, (_, j) => Array.from(u).reduce((s, x, i) => s + W[i * COLUMNS + j] * x, 0));
const normalized = (x: number[]) => x.map((value) => value / Math.hypot(...x));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * b[i], 0);

const floats = (state: StateDict, name: string) => state.get(name)!.data as Float32Array;

/** The largest singular value by power iteration on W^T W, run to convergence. */
function largestSingularValue(W: ArrayLike<number>): number {
  let v = normalized(Array.from({ length: COLUMNS }, (_, j) => 1 + j));
  for (let i = 0; i < 5000; i++) v = normalized(timesTransposed(W, times(W, v)));
  return Math.hypot(...times(W, v));
}

/** A training step whose loss is sum(R * W_sn); its SGD update reveals the gradient, its loss reveals sigma. */
async function trainer(state: StateDict) {
  const compiled = compileTrainingStep({
    build: (ctx) => {
      const weight = spectralNormWeight(ctx, 'w', SHAPE, 8);
      return { data: [], loss: reduceSum(mul(weight, ctx.graph.constant(float32Tensor(R, SHAPE)))) };
    },
    optimizer: sgd(),
    state,
  });
  expect(compiled.parameters).toEqual(['w_orig']);
  expect(compiled.buffers.sort()).toEqual(['w_u', 'w_v']);
  return Trainer.create(compiled, state, { threads: 1 });
}

describe('spectral normalisation (torch.nn.utils.spectral_norm)', () => {
  it('a training step takes one power-iteration step from the stored u and stores the new u and v', async () => {
    const state: StateDict = new Map();
    const run = await trainer(state);
    const W = floats(state, 'w_orig');
    const u0 = floats(state, 'w_u');
    expect(Math.hypot(...u0)).toBeCloseTo(1, 6);
    const { loss } = await run.step({}, 0);
    const v1 = normalized(timesTransposed(W, u0));
    const u1 = normalized(times(W, v1));
    const after = run.stateDict();
    Array.from(floats(after, 'w_u')).forEach((x, i) => expect(x).toBeCloseTo(u1[i], 5));
    Array.from(floats(after, 'w_v')).forEach((x, i) => expect(x).toBeCloseTo(v1[i], 5));
    expect(loss).toBeCloseTo(dot(R, W) / dot(u1, times(W, v1)), 4);
    await run.release();
  });

  it('after many steps sigma is the largest singular value of the weight matrix', async () => {
    const state: StateDict = new Map();
    const run = await trainer(state);
    const W = floats(state, 'w_orig');
    let loss = 0;
    for (let i = 0; i < 60; i++) loss = (await run.step({}, 0)).loss;
    const sigma = dot(R, W) / loss;
    expect(sigma / largestSingularValue(W)).toBeCloseTo(1, 5);
    await run.release();
  });

  it('the gradient holds u and v fixed, as PyTorch (the power iteration runs under no_grad)', async () => {
    const state: StateDict = new Map();
    const run = await trainer(state);
    const W = Float64Array.from(floats(state, 'w_orig'));
    const v1 = normalized(timesTransposed(W, floats(state, 'w_u')));
    const u1 = normalized(times(W, v1));
    await run.step({}, 1);
    const next = floats(run.stateDict(), 'w_orig');
    // L = sum(R W) / sigma with sigma = u^T W v: dL/dW = R / sigma - sum(R W) / sigma^2 * u v^T.
    const sigma = dot(u1, times(W, v1));
    W.forEach((w, k) => {
      const expected = R[k] / sigma - (dot(R, W) / sigma ** 2) * u1[Math.floor(k / COLUMNS)] * v1[k % COLUMNS];
      expect(w - next[k]).toBeCloseTo(expected, 4);
    });
    await run.release();
  });

  it('in evaluation the stored u and v are used as they are and nothing is updated', async () => {
    const state: StateDict = new Map();
    const graph = new Graph();
    const ctx = BuildContext.create(graph, state, { training: false });
    const weight = spectralNormWeight(ctx, 'w', SHAPE, 8);
    expect(ctx.bufferUpdates).toEqual([]);
    const W = floats(state, 'w_orig');
    const sigma = dot(floats(state, 'w_u'), times(W, floats(state, 'w_v')));
    const [normalizedWeight] = await runGraph([], [weight]);
    normalizedWeight.forEach((x, k) => expect(x).toBeCloseTo(W[k] / sigma, 4));
  });

  it('in a frozen network u and v are inputs and a training build records no update', () => {
    const state: StateDict = new Map();
    const graph = new Graph();
    const ctx = BuildContext.frozen(graph, state, { training: true });
    spectralNormWeight(ctx.child('conv1'), 'weight', SHAPE, 8);
    expect(ctx.frozenInputs!.map((v) => v.name)).toEqual(['frozen.conv1.weight_orig', 'frozen.conv1.weight_u', 'frozen.conv1.weight_v']);
    expect(ctx.bufferUpdates).toEqual([]);
    expect(graph.parameters).toEqual([]);
  });
});
