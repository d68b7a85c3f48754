import { describe, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.js';
import { softplus } from '../../src/graph/ops/activations.js';
import { conv } from '../../src/graph/ops/conv.js';
import { mul, sqrt, sub } from '../../src/graph/ops/elementwise.js';
import { mean, reduceMean, reduceSum } from '../../src/graph/ops/reduce.js';
import { float32Tensor } from '../../src/graph/tensorData.js';
import type { Value } from '../../src/graph/value.js';
import { checkGradients, randomFill } from './gradcheck.js';

describe('gradients of gradients', () => {
  it("the WGAN-GP penalty mean((||dD(x)/dx||_2 - 1)^2) has the right gradient with respect to D's weights", () =>
    checkGradients(
      [{ shape: [4, 2, 3, 3] }, { shape: [4] }, { shape: [1, 4, 4, 4] }],
      (w1: Value, b1: Value, w2: Value) => {
        const graph = w1.graph;
        const x = graph.constant(float32Tensor(randomFill(2 * 2 * 8 * 8, 5), [2, 2, 8, 8]));
        // A small critic: conv 3x3, a smooth activation, strided 4x4 conv, mean per sample. (With LeakyReLU
        // the penalty jumps wherever a pre-activation crosses 0, and finite differences across a jump say nothing.)
        const critic = (input: Value) =>
          reduceMean(conv(softplus(conv(input, w1, b1, { pads: [1, 1, 1, 1] })), w2, undefined, { strides: [2, 2], pads: [1, 1, 1, 1] }), [1, 2, 3]);
        const scores = critic(x);
        const [dx] = grad(reduceSum(scores), [x]);
        const norms = sqrt(reduceSum(mul(dx!, dx!), [1, 2, 3]));
        const gap = sub(norms, 1);
        return mean(mul(gap, gap));
      },
      { epsilon: 5e-3, tolerance: 3e-2 },
    ));
});
