import { describe, expect, it } from 'vitest';
import { mul, sub } from '../../src/graph/ops/elementwise.js';
import { reduceSum } from '../../src/graph/ops/reduce.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { adam, adamw } from '../../src/optim/adam.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { sgd } from '../../src/optim/sgd.js';
import { Trainer } from '../../src/runtime/trainer.js';
import { compileTrainingStep } from '../../src/runtime/trainingStep.js';

const TARGET = [0.5, -1, 2];
const START = [1, 1, 1];

/** Run `steps` steps of `optimizer` on loss = sum((p - target)^2) and return p after each step. */
async function trajectory(optimizer: Optimizer, lr: number, steps: number): Promise<number[][]> {
  const state: StateDict = new Map();
  const compiled = compileTrainingStep({
    build: (ctx) => {
      const p = ctx.parameter('p', [3], 1, (size) => Float32Array.from(START.slice(0, size)));
      const target = ctx.graph.input('target', 'float32', [3]);
      const d = sub(p, target);
      return { data: [target], loss: reduceSum(mul(d, d)) };
    },
    optimizer,
    state,
  });
  const trainer = await Trainer.create(compiled, state, { threads: 1 });
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    await trainer.step({ target: { dtype: 'float32', shape: [3], data: Float32Array.from(TARGET) } }, lr);
    out.push(Array.from(trainer.stateDict().get('p')!.data as Float32Array));
  }
  return out;
}

/** torch.optim update rules written out in plain arithmetic (float64), as the reference. */
function reference(kind: 'sgd' | 'nesterov' | 'adam' | 'adamw', lr: number, steps: number, hp: { momentum?: number; wd?: number }): number[][] {
  const p = [...START];
  const buf = [0, 0, 0];
  const m = [0, 0, 0];
  const v = [0, 0, 0];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < 3; i++) {
      let g = 2 * (p[i] - TARGET[i]);
      if (kind === 'sgd' || kind === 'nesterov') {
        const mu = hp.momentum ?? 0;
        buf[i] = t === 1 ? g : mu * buf[i] + g;
        g = kind === 'nesterov' ? g + mu * buf[i] : buf[i];
        p[i] -= lr * g;
      } else {
        if (kind === 'adam' && hp.wd) g += hp.wd * p[i];
        if (kind === 'adamw' && hp.wd) p[i] *= 1 - lr * hp.wd;
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        const mHat = m[i] / (1 - 0.9 ** t);
        const vHat = v[i] / (1 - 0.999 ** t);
        p[i] -= (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
      }
    }
    out.push([...p]);
  }
  return out;
}

function expectClose(actual: number[][], expected: number[][]) {
  actual.forEach((row, t) => row.forEach((v, i) => expect(v, `step ${t + 1}, element ${i}`).toBeCloseTo(expected[t][i], 5)));
}

describe('optimizer updates follow torch.optim', () => {
  it('SGD with momentum', async () => expectClose(await trajectory(sgd({ momentum: 0.9 }), 0.05, 4), reference('sgd', 0.05, 4, { momentum: 0.9 })));
  it('SGD with Nesterov momentum', async () =>
    expectClose(await trajectory(sgd({ momentum: 0.8, nesterov: true }), 0.05, 4), reference('nesterov', 0.05, 4, { momentum: 0.8 })));
  it('Adam with L2 weight decay', async () => expectClose(await trajectory(adam({ weightDecay: 0.1 }), 0.1, 4), reference('adam', 0.1, 4, { wd: 0.1 })));
  it('AdamW with decoupled weight decay', async () => expectClose(await trajectory(adamw({ weightDecay: 0.1 }), 0.1, 4), reference('adamw', 0.1, 4, { wd: 0.1 })));
});
