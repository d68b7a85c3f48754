import { describe, expect, it } from 'vitest';
import { leakyRelu } from '../../src/graph/ops/activations.js';
import { mul, sub } from '../../src/graph/ops/elementwise.js';
import { mean } from '../../src/graph/ops/reduce.js';
import type { Value } from '../../src/graph/value.js';
import { Graph } from '../../src/graph/graph.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { conv2d } from '../../src/nn/conv2d.js';
import { adam, adamw } from '../../src/optim/adam.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { sgd } from '../../src/optim/sgd.js';
import { Trainer } from '../../src/runtime/trainer.js';
import { compileTrainingStep } from '../../src/runtime/trainingStep.js';
import { randomFill } from '../autodiff/gradcheck.js';
import { runGraph } from '../graph/runGraph.js';

const SHAPE = [4, 3, 8, 8];

function tinyNet(ctx: BuildContext, x: Value): Value {
  return conv2d(ctx, 'conv2', leakyRelu(conv2d(ctx, 'conv1', x, 3, 16, { kernel: 3 }), 0.2), 16, 3, { kernel: 3 });
}

/** A fixed batch whose targets come from a random network of the same shape, so a perfect fit exists. */
async function fixedBatch() {
  const input = { dtype: 'float32' as const, shape: SHAPE, data: randomFill(4 * 3 * 64, 11) };
  const graph = new Graph();
  const teacher = BuildContext.create(graph, new Map(), { training: false, seed: 99 });
  const x = graph.input('x', 'float32', SHAPE);
  const [target] = await runGraph([[x, input.data]], [tinyNet(teacher, x)]);
  return { input, target: { dtype: 'float32' as const, shape: SHAPE, data: target } };
}

async function fit(optimizer: Optimizer, learningRate: number, steps: number): Promise<number[]> {
  const batch = await fixedBatch();
  const state: StateDict = new Map();
  const compiled = compileTrainingStep({
    build: (ctx) => {
      const x = ctx.graph.input('x', 'float32', SHAPE);
      const y = ctx.graph.input('y', 'float32', SHAPE);
      const error = sub(tinyNet(ctx, x), y);
      return { data: [x, y], loss: mean(mul(error, error)) };
    },
    optimizer,
    state,
    seed: 1,
  });
  const trainer = await Trainer.create(compiled, state, { threads: 1 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await trainer.step({ x: batch.input, y: batch.target }, learningRate)).loss);
  await trainer.release();
  return losses;
}

describe('a tiny conv net fits a fixed batch (loss falls 100x)', () => {
  const cases: [string, Optimizer, number, number][] = [
    ['SGD with momentum', sgd({ momentum: 0.9 }), 0.2, 1500],
    ['SGD with Nesterov momentum', sgd({ momentum: 0.9, nesterov: true }), 0.2, 1500],
    ['Adam', adam(), 0.01, 400],
    ['AdamW', adamw({ weightDecay: 1e-4 }), 0.01, 400],
  ];
  for (const [name, optimizer, learningRate, steps] of cases) {
    it(name, async () => {
      const losses = await fit(optimizer, learningRate, steps);
      const first = losses[0];
      const last = Math.min(...losses.slice(-10));
      expect(last, `loss went from ${first} to ${last}`).toBeLessThan(first / 100);
    }, 120_000);
  }
});
