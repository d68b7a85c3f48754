import { describe, expect, it } from 'vitest';
import { mul } from '../../src/graph/ops/elementwise.js';
import { reduceSum } from '../../src/graph/ops/reduce.js';
import { Graph } from '../../src/graph/graph.js';
import { float32Tensor } from '../../src/graph/tensorData.js';
import type { Value } from '../../src/graph/value.js';
import {
  ADVERSARIAL_LOSSES,
  gradientPenalty,
  hingeDiscriminatorLoss,
  interpolateSamples,
  leastSquaresDiscriminatorLoss,
  leastSquaresGeneratorLoss,
  negatedMeanGeneratorLoss,
  relativisticAverageDiscriminatorLoss,
  relativisticAverageGeneratorLoss,
  vanillaDiscriminatorLoss,
  vanillaGeneratorLoss,
  wassersteinCriticLoss,
  wganGpCriticLoss,
} from '../../src/losses/adversarialLosses.js';
import { grad } from '../../src/autodiff/grad.js';
import { checkGradients } from '../autodiff/gradcheck.js';
import { runGraph } from '../graph/runGraph.js';

// The formulas as the papers write them, with sigmoids and logs, in float64.
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const REAL = [1.3, -0.4, 2.1, 0.2, 0.7, -1.5];
const FAKE = [-1.1, 0.5, -2.0, 0.9, 0.1, -0.3];
const meanReal = average(REAL);
const meanFake = average(FAKE);

// `generatorOnly`: the loss reads the fake logits alone.
const references: { name: string; loss: (real: Value, fake: Value) => Value; expected: number; generatorOnly?: boolean }[] = [
  {
    name: 'vanilla, discriminator: -E[log D(y)] - E[log(1 - D(G(x)))]',
    loss: vanillaDiscriminatorLoss,
    expected: -average(REAL.map((r) => Math.log(sigmoid(r)))) - average(FAKE.map((f) => Math.log(1 - sigmoid(f)))),
  },
  { name: 'vanilla, generator: -E[log D(G(x))]', generatorOnly: true, loss: (_, fake) => vanillaGeneratorLoss(fake), expected: -average(FAKE.map((f) => Math.log(sigmoid(f)))) },
  {
    name: 'relativistic average, discriminator: -E[log D_ra(y, G(x))] - E[log(1 - D_ra(G(x), y))]',
    loss: relativisticAverageDiscriminatorLoss,
    expected: -average(REAL.map((r) => Math.log(sigmoid(r - meanFake)))) - average(FAKE.map((f) => Math.log(1 - sigmoid(f - meanReal)))),
  },
  {
    name: 'relativistic average, generator: -E[log(1 - D_ra(y, G(x)))] - E[log D_ra(G(x), y)]',
    loss: relativisticAverageGeneratorLoss,
    expected: -average(REAL.map((r) => Math.log(1 - sigmoid(r - meanFake)))) - average(FAKE.map((f) => Math.log(sigmoid(f - meanReal)))),
  },
  {
    name: 'hinge, discriminator: E[max(0, 1 - D(y))] + E[max(0, 1 + D(G(x)))]',
    loss: hingeDiscriminatorLoss,
    expected: average(REAL.map((r) => Math.max(0, 1 - r))) + average(FAKE.map((f) => Math.max(0, 1 + f))),
  },
  { name: 'hinge and Wasserstein, generator: -E[D(G(x))]', generatorOnly: true, loss: (_, fake) => negatedMeanGeneratorLoss(fake), expected: -meanFake },
  {
    name: 'least squares, discriminator: E[(D(y) - 1)^2] + E[D(G(x))^2]',
    loss: leastSquaresDiscriminatorLoss,
    expected: average(REAL.map((r) => (r - 1) ** 2)) + average(FAKE.map((f) => f * f)),
  },
  { name: 'least squares, generator: E[(D(G(x)) - 1)^2]', generatorOnly: true, loss: (_, fake) => leastSquaresGeneratorLoss(fake), expected: average(FAKE.map((f) => (f - 1) ** 2)) },
  { name: 'Wasserstein critic: E[D(G(x))] - E[D(y)]', loss: wassersteinCriticLoss, expected: meanFake - meanReal },
];

async function evaluate(loss: (real: Value, fake: Value) => Value, real: number[], fake: number[], shape: number[]): Promise<number> {
  const graph = new Graph();
  const r = graph.input('real', 'float32', shape);
  const f = graph.input('fake', 'float32', shape);
  const [value] = await runGraph([[r, Float32Array.from(real)], [f, Float32Array.from(fake)]], [loss(r, f)]);
  return value[0];
}

describe('adversarial losses', () => {
  for (const { name, loss, expected, generatorOnly } of references) {
    it(`${name} equals the formula, per image [N, 1] and per pixel [N, 1, H, W]`, async () => {
      expect(await evaluate(loss, REAL, FAKE, [6, 1])).toBeCloseTo(expected, 5);
      expect(await evaluate(loss, REAL, FAKE, [1, 1, 2, 3])).toBeCloseTo(expected, 5);
    });

    it(`${name}: its gradient with respect to the logits matches finite differences`, () => {
      // Away from the hinge's kinks at real = 1 and fake = -1.
      const real = { shape: [6, 1], data: Float32Array.from(REAL) };
      const fake = { shape: [6, 1], data: Float32Array.from(FAKE) };
      const options = { epsilon: 1e-2, tolerance: 1e-2 };
      if (generatorOnly) return checkGradients([fake], (f) => loss(f, f), options);
      return checkGradients([real, fake], (r, f) => loss(r, f), options);
    });
  }

  it('cross-entropy losses stay exact for confident logits (no log of a rounded-off sigmoid)', async () => {
    const real = [100, 60];
    const fake = [-100, -60];
    expect(await evaluate(vanillaDiscriminatorLoss, real, fake, [2, 1])).toBeCloseTo(0, 6);
    expect(await evaluate(vanillaDiscriminatorLoss, fake, real, [2, 1])).toBeCloseTo(80 + 80, 3);
    expect(await evaluate((_, f) => vanillaGeneratorLoss(f), real, fake, [2, 1])).toBeCloseTo(80, 3);
    // Means 80 and -80: softplus(100 + 80), softplus(60 + 80) on both sides.
    expect(await evaluate(relativisticAverageDiscriminatorLoss, fake, real, [2, 1])).toBeCloseTo(160 + 160, 3);

    const graph = new Graph();
    const f = graph.input('fake', 'float32', [2, 1]);
    const [dFake] = grad(vanillaGeneratorLoss(f), [f]);
    const [gradient] = await runGraph([[f, Float32Array.from(fake)]], [dFake!]);
    // d/df mean(softplus(-f)) = -sigmoid(-f) / N = -1/2 when D is sure the fakes are fake.
    expect(Array.from(gradient)).toEqual([-0.5, -0.5]);
  });

  it('the relativistic generator loss in the loss table needs the real logits', () => {
    const graph = new Graph();
    const fake = graph.input('fake', 'float32', [2, 1]);
    expect(ADVERSARIAL_LOSSES.ragan.generatorNeedsReal).toBe(true);
    expect(() => ADVERSARIAL_LOSSES.ragan.generator(fake)).toThrow(/real/);
    expect(ADVERSARIAL_LOSSES['wgan-gp'].gradientPenaltyWeight).toBe(10);
  });
});

describe('WGAN-GP gradient penalty', () => {
  const shape = [3, 2, 2, 2];
  const size = 8;
  const real = Float32Array.from({ length: 3 * size }, (_, i) => Math.sin(i + 1));
  const fake = Float32Array.from({ length: 3 * size }, (_, i) => Math.cos(2 * i));
  const epsilon = Float32Array.of(0.25, 0.9, 0);

  function build() {
    const graph = new Graph();
    const y = graph.input('real', 'float32', shape);
    const g = graph.input('fake', 'float32', shape);
    const eps = graph.input('epsilon', 'float32', [3, 1, 1, 1]);
    return { graph, y, g, eps, interpolates: interpolateSamples(y, g, eps) };
  }
  const feeds = (v: ReturnType<typeof build>): [Value, Float32Array][] => [[v.y, real], [v.g, fake], [v.eps, epsilon]];
  const interpolated = Array.from({ length: 3 * size }, (_, i) => {
    const e = epsilon[Math.floor(i / size)];
    return e * real[i] + (1 - e) * fake[i];
  });

  it('interpolates eps * y + (1 - eps) * G(x), one eps per sample', async () => {
    const v = build();
    const [x] = await runGraph(feeds(v), [v.interpolates]);
    x.forEach((value, i) => expect(value).toBeCloseTo(interpolated[i], 6));
  });

  it('a critic with gradient x (D(x) = |x|^2 / 2) gives mean((|x_hat_n| - 1)^2), each sample its own norm', async () => {
    const v = build();
    const scores = mul(reduceSum(mul(v.interpolates, v.interpolates), [1, 2, 3]), 0.5);
    const [penalty] = await runGraph(feeds(v), [gradientPenalty(v.interpolates, scores)]);
    const norms = [0, 1, 2].map((n) => Math.hypot(...interpolated.slice(n * size, (n + 1) * size)));
    expect(penalty[0]).toBeCloseTo(average(norms.map((norm) => (norm - 1) ** 2)), 5);
  });

  it('the critic loss is E[D(G(x))] - E[D(y)] + lambda * penalty', async () => {
    const v = build();
    const w = v.graph.constant(float32Tensor(Array.from({ length: size }, (_, i) => 0.1 * (i + 1)), [1, 2, 2, 2]));
    const critic = (x: Value) => reduceSum(mul(x, w), [1, 2, 3], true);
    const penalty = gradientPenalty(v.interpolates, critic(v.interpolates));
    const [loss] = await runGraph(feeds(v), [wganGpCriticLoss(critic(v.y), critic(v.g), penalty, 10)]);
    // A linear critic's input gradient is w for every sample: penalty (|w| - 1)^2.
    const weights = Array.from({ length: size }, (_, i) => 0.1 * (i + 1));
    const score = (data: Float32Array, n: number) => weights.reduce((s, wi, i) => s + wi * data[n * size + i], 0);
    const meanScore = (data: Float32Array) => average([0, 1, 2].map((n) => score(data, n)));
    const expected = meanScore(fake) - meanScore(real) + 10 * (Math.hypot(...weights) - 1) ** 2;
    expect(loss[0]).toBeCloseTo(expected, 4);
  });
});
