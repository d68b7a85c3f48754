import { describe, it } from 'vitest';
import { leakyRelu, prelu, relu, sigmoid, softplus, tanh } from '../../src/graph/ops/activations.js';
import { greater, where } from '../../src/graph/ops/compare.js';
import { abs, add, div, exp, log, mul, neg, pow, sqrt, sub } from '../../src/graph/ops/elementwise.js';
import { checkGradients } from './gradcheck.js';

const positive = (shape: number[], seed = 3) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 + ((i * 7919 + seed) % 97) / 97) });

describe('gradient rules of elementwise ops match finite differences', () => {
  it('Add with broadcasting', () => checkGradients([{ shape: [2, 3, 4] }, { shape: [3, 1] }], add));
  it('Sub with broadcasting', () => checkGradients([{ shape: [2, 3] }, { shape: [3] }], sub));
  it('Mul with broadcasting', () => checkGradients([{ shape: [2, 3, 4] }, { shape: [1, 3, 1] }], mul));
  it('Div', () => checkGradients([{ shape: [3, 4] }, positive([3, 4])], div));
  it('Pow with a tensor exponent', () => checkGradients([positive([3, 4]), { shape: [4] }], (x, p) => pow(x, p)));
  it('Neg', () => checkGradients([{ shape: [5] }], neg));
  it('Exp', () => checkGradients([{ shape: [2, 5] }], exp));
  it('Log', () => checkGradients([positive([2, 5])], log));
  it('Sqrt', () => checkGradients([positive([2, 5])], sqrt));
  it('Abs', () => checkGradients([{ shape: [2, 5], avoidNearZero: 0.1 }], abs));
});

describe('gradient rules of activations match finite differences', () => {
  it('Relu', () => checkGradients([{ shape: [2, 3, 4], avoidNearZero: 0.1 }], relu));
  it('LeakyRelu', () => checkGradients([{ shape: [2, 3, 4], avoidNearZero: 0.1 }], (x) => leakyRelu(x, 0.2)));
  it('PRelu with a per-channel slope', () => checkGradients([{ shape: [2, 3, 2, 2], avoidNearZero: 0.1 }, { shape: [3, 1, 1] }], prelu));
  it('Sigmoid', () => checkGradients([{ shape: [2, 6] }], sigmoid));
  it('Tanh', () => checkGradients([{ shape: [2, 6] }], tanh));
  it('Softplus', () => checkGradients([{ shape: [2, 6] }], softplus));
  it('Where (the condition gets no gradient)', () => checkGradients([{ shape: [3, 4], avoidNearZero: 0.1 }], (a) => where(greater(a, 0), mul(a, a), mul(a, 3))));
});
