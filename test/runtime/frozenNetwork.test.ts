import { describe, expect, it } from 'vitest';
import { mean } from '../../src/graph/ops/reduce.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { conv2d } from '../../src/nn/conv2d.js';
import { sgd } from '../../src/optim/sgd.js';
import { EngineThread, ThreadedTrainer } from '../../src/runtime/engineThread.js';
import { compileTrainingStep } from '../../src/runtime/trainingStep.js';

const SHAPE = [1, 1, 2, 2];
const X = Float32Array.of(1, 2, 3, 4);
const weight = (v: number) => ({ dtype: 'float32' as const, shape: [1, 1, 1, 1], data: Float32Array.of(v) });
const bias = (v: number) => ({ dtype: 'float32' as const, shape: [1], data: Float32Array.of(v) });

/** G(x) = a x + b and D(z) = c z + e, each a 1x1 conv on one channel: gradients are plain arithmetic. */
const generator = (ctx: BuildContext, x: ReturnType<BuildContext['graph']['input']>) => conv2d(ctx, 'g', x, 1, 1, { kernel: 1 });
const discriminator = (ctx: BuildContext, z: ReturnType<BuildContext['graph']['input']>) => conv2d(ctx, 'd', z, 1, 1, { kernel: 1 });

describe('frozen networks (a GAN: generator and discriminator on one worker thread)', () => {
  it("each step sees the other network's current weights, and never changes them", async () => {
    const gState: StateDict = new Map([['g.weight', weight(2)], ['g.bias', bias(0.5)]]);
    const dState: StateDict = new Map([['d.weight', weight(3)], ['d.bias', bias(-1)]]);
    // Generator step: loss = mean(D(G(x))) with D frozen. d/da = c * mean(x) = 3 * 2.5, d/db = c.
    const gStep = compileTrainingStep({
      build: (ctx) => {
        const x = ctx.graph.input('x', 'float32', SHAPE);
        const frozen = BuildContext.frozen(ctx.graph, dState, { training: true });
        return { data: [x], loss: mean(discriminator(frozen, generator(ctx, x))), frozen: frozen.frozenInputs };
      },
      optimizer: sgd(),
      state: gState,
    });
    // Discriminator step: loss = mean(D(G(x))) with G frozen. d/dc = mean(G(x)) = a * 2.5 + b, d/de = 1.
    const dStep = compileTrainingStep({
      build: (ctx) => {
        const x = ctx.graph.input('x', 'float32', SHAPE);
        const frozen = BuildContext.frozen(ctx.graph, gState, { training: true });
        return { data: [x], loss: mean(discriminator(ctx, generator(frozen, x))), frozen: frozen.frozenInputs };
      },
      optimizer: sgd(),
      state: dState,
    });
    expect(gStep.parameters.sort()).toEqual(['g.bias', 'g.weight']);
    expect(gStep.frozen.sort()).toEqual(['frozen.d.bias', 'frozen.d.weight']);

    const thread = new EngineThread();
    const g = await ThreadedTrainer.create(gStep, gState, { thread, name: 'g', threads: 1 });
    const d = await ThreadedTrainer.create(dStep, dState, { thread, name: 'd', threads: 1 });
    const x = { x: { dtype: 'float32' as const, shape: SHAPE, data: X } };

    const first = await g.step(x, 0.1, d);
    expect(first.loss).toBeCloseTo(3 * (2 * 2.5 + 0.5) - 1, 5);
    let gNow = await g.stateDict();
    expect(gNow.get('g.weight')!.data[0]).toBeCloseTo(2 - 0.1 * 3 * 2.5, 5);
    expect(gNow.get('g.bias')!.data[0]).toBeCloseTo(0.5 - 0.1 * 3, 5);
    expect((await d.stateDict()).get('d.weight')!.data[0]).toBe(3);

    const a = gNow.get('g.weight')!.data[0] as number;
    const b = gNow.get('g.bias')!.data[0] as number;
    await d.step(x, 0.1, g); // sees the updated generator
    const dNow = await d.stateDict();
    expect(dNow.get('d.weight')!.data[0]).toBeCloseTo(3 - 0.1 * (a * 2.5 + b), 5);
    expect(dNow.get('d.bias')!.data[0]).toBeCloseTo(-1 - 0.1, 5);

    const c = dNow.get('d.weight')!.data[0] as number;
    await g.step(x, 0.1, d); // sees the updated discriminator
    gNow = await g.stateDict();
    expect(gNow.get('g.weight')!.data[0]).toBeCloseTo(a - 0.1 * c * 2.5, 5);
    await thread.terminate();
  });
});
