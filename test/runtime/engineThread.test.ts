import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { serializeModel } from '../../src/graph/onnx/serializeModel.js';
import { leakyRelu } from '../../src/graph/ops/activations.js';
import { mul, sub } from '../../src/graph/ops/elementwise.js';
import { mean } from '../../src/graph/ops/reduce.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { BuildContext } from '../../src/nn/buildContext.js';
import { conv2d } from '../../src/nn/conv2d.js';
import { adam } from '../../src/optim/adam.js';
import { ThreadedSession, ThreadedTrainer } from '../../src/runtime/engineThread.js';
import { Trainer } from '../../src/runtime/trainer.js';
import { compileTrainingStep } from '../../src/runtime/trainingStep.js';
import { randomFill } from '../autodiff/gradcheck.js';

const SHAPE = [2, 3, 32, 32];

function compile(state: StateDict) {
  return compileTrainingStep({
    build: (ctx) => {
      const x = ctx.graph.input('x', 'float32', SHAPE);
      const y = ctx.graph.input('y', 'float32', SHAPE);
      const out = conv2d(ctx, 'b', leakyRelu(conv2d(ctx, 'a', x, 3, 32, { kernel: 3 }), 0.2), 32, 3, { kernel: 3 });
      const error = sub(out, y);
      return { data: [x, y], loss: mean(mul(error, error)) };
    },
    optimizer: adam(),
    state,
    seed: 4,
  });
}

const batch = () => ({
  x: { dtype: 'float32' as const, shape: SHAPE, data: randomFill(2 * 3 * 1024, 1) },
  y: { dtype: 'float32' as const, shape: SHAPE, data: randomFill(2 * 3 * 1024, 2) },
});

describe('the engine worker thread', () => {
  it('trains exactly as the in-process trainer does, and hands back the same parameters', async () => {
    const stateA: StateDict = new Map();
    const local = await Trainer.create(compile(stateA), stateA, { threads: 1 });
    const stateB: StateDict = new Map();
    const threaded = await ThreadedTrainer.create(compile(stateB), stateB, { threads: 1 });
    for (let i = 0; i < 5; i++) {
      const [a, b] = [await local.step(batch(), 1e-2), await threaded.step(batch(), 1e-2)];
      expect(b.loss).toBe(a.loss);
    }
    const remote = await threaded.stateDict();
    expect(Array.from(remote.get('a.weight')!.data as Float32Array)).toEqual(Array.from(local.stateDict().get('a.weight')!.data as Float32Array));
    expect([...(await threaded.optimizerState()).keys()]).toEqual([...local.optimizerState().keys()]);
    await threaded.release();
    await local.release();
  });

  it('keeps the caller responsive while a long inference runs', async () => {
    const graph = new Graph();
    const ctx = BuildContext.create(graph, new Map(), { training: false });
    const x = graph.input('input', 'float32', [1, 32, 256, 256]);
    let y = x;
    for (let i = 0; i < 8; i++) y = conv2d(ctx, `c${i}`, y, 32, 32, { kernel: 3 });
    const session = await ThreadedSession.create(serializeModel(graph, { inputs: [x], outputs: [{ name: 'output', value: y }] }), { threads: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    const out = await session.run({ input: { dtype: 'float32', shape: [1, 32, 256, 256], data: randomFill(32 * 65536, 3) } });
    const elapsed = Date.now() - started;
    clearInterval(timer);
    expect(out.get('output')!.shape).toEqual([1, 32, 256, 256]);
    // The timer kept firing during the run (a blocked event loop would give ~0 ticks).
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
    await session.release();
  });
});
