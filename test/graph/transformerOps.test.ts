import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { gelu, mish, silu } from '../../src/graph/ops/activations.js';
import { erf } from '../../src/graph/ops/elementwise.js';
import { gatherRows } from '../../src/graph/ops/gather.js';
import { matmul, transposeLast2 } from '../../src/graph/ops/matmul.js';
import { groupNorm, layerNorm } from '../../src/graph/ops/normalization.js';
import { roll } from '../../src/graph/ops/shape.js';
import { softmax } from '../../src/graph/ops/softmax.js';
import type { Value } from '../../src/graph/value.js';
import { checkGradients, randomFill } from '../autodiff/gradcheck.js';
import { maxAbsDifference } from '../helpers.js';
import { runGraph } from './runGraph.js';

/** One op on one random input, run by onnxruntime. */
async function forward(shape: number[], f: (x: Value) => Value, seed = 3): Promise<{ x: Float32Array; y: Float32Array }> {
  const graph = new Graph();
  const input = graph.input('x', 'float32', shape);
  const x = randomFill(shape.reduce((a, b) => a * b, 1), seed).map((v) => 3 * v);
  const [y] = await runGraph([[input, x]], [f(input)]);
  return { x, y };
}

/** Mean and biased variance of values, in float64. */
function moments(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, variance: values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length };
}

describe('the ops transformer SR networks need, forward against plain loops and published values', () => {
  it('erf and GELU (erf form) give their tabulated values', async () => {
    const graph = new Graph();
    const x = graph.input('x', 'float32', [5]);
    const [e, g] = await runGraph([[x, new Float32Array([-2, -1, 0, 0.5, 1])]], [erf(x), gelu(x)]);
    expect(maxAbsDifference(e, [-0.9953223, -0.8427008, 0, 0.5204999, 0.8427008])).toBeLessThan(1e-6);
    expect(maxAbsDifference(g, [-0.0455003, -0.1586553, 0, 0.3457312, 0.8413447])).toBeLessThan(1e-6);
  });

  it('SiLU and Mish by their definitions', async () => {
    const { x, y } = await forward([40], silu);
    expect(maxAbsDifference(y, x.map((v) => v / (1 + Math.exp(-v))))).toBeLessThan(1e-6);
    const m = await forward([40], mish);
    expect(maxAbsDifference(m.y, m.x.map((v) => v * Math.tanh(Math.log1p(Math.exp(v)))))).toBeLessThan(1e-5);
  });

  it('softmax along the last axis: exponentials over their row sum', async () => {
    const { x, y } = await forward([3, 4, 5], (v) => softmax(v, -1));
    const expected = new Float32Array(x.length);
    for (let row = 0; row < 12; row++) {
      const values = [...x.subarray(5 * row, 5 * row + 5)];
      const top = Math.max(...values);
      const total = values.reduce((a, v) => a + Math.exp(v - top), 0);
      values.forEach((v, i) => (expected[5 * row + i] = Math.exp(v - top) / total));
    }
    expect(maxAbsDifference(y, expected)).toBeLessThan(1e-6);
  });

  it('LayerNorm over the last axis, with its affine, as torch.nn.LayerNorm', async () => {
    const graph = new Graph();
    const input = graph.input('x', 'float32', [2, 3, 6]);
    const scale = graph.input('s', 'float32', [6]);
    const bias = graph.input('b', 'float32', [6]);
    const [x, s, b] = [randomFill(36, 1).map((v) => 5 * v + 1), randomFill(6, 2), randomFill(6, 3)];
    const [y] = await runGraph([[input, x], [scale, s], [bias, b]], [layerNorm(input, scale, bias, 1e-5)]);
    const expected = new Float32Array(36);
    for (let row = 0; row < 6; row++) {
      const values = [...x.subarray(6 * row, 6 * row + 6)];
      const { mean, variance } = moments(values);
      values.forEach((v, i) => (expected[6 * row + i] = ((v - mean) / Math.sqrt(variance + 1e-5)) * s[i] + b[i]));
    }
    expect(maxAbsDifference(y, expected)).toBeLessThan(1e-5);
  });

  it('GroupNorm over each group of channels and all pixels, then a per-channel affine', async () => {
    const graph = new Graph();
    const input = graph.input('x', 'float32', [2, 4, 3, 2]);
    const scale = graph.input('s', 'float32', [4]);
    const bias = graph.input('b', 'float32', [4]);
    const [x, s, b] = [randomFill(48, 4).map((v) => 2 * v - 1), randomFill(4, 5), randomFill(4, 6)];
    const [y] = await runGraph([[input, x], [scale, s], [bias, b]], [groupNorm(input, 2, scale, bias)]);
    const expected = new Float32Array(48);
    for (let n = 0; n < 2; n++) {
      for (let g = 0; g < 2; g++) {
        const start = n * 24 + g * 12; // two channels of 3x2 pixels
        const { mean, variance } = moments([...x.subarray(start, start + 12)]);
        for (let i = 0; i < 12; i++) expected[start + i] = ((x[start + i] - mean) / Math.sqrt(variance + 1e-5)) * s[2 * g + Math.floor(i / 6)] + b[2 * g + Math.floor(i / 6)];
      }
    }
    expect(maxAbsDifference(y, expected)).toBeLessThan(1e-5);
  });

  it('gathering rows of a table by a constant index of any shape', async () => {
    const graph = new Graph();
    const table = graph.input('t', 'float32', [5, 2]);
    const t = randomFill(10, 8);
    const index = { data: [4, 0, 0, 2, 3, 1], shape: [2, 3] };
    const [y] = await runGraph([[table, t]], [gatherRows(table, index)]);
    expect([...y]).toEqual(index.data.flatMap((row) => [t[2 * row], t[2 * row + 1]]));
  });

  it('roll is torch.roll: out[i] = x[(i - shift) mod n], either sign', async () => {
    const graph = new Graph();
    const x = graph.input('x', 'float32', [2, 5]);
    const data = Float32Array.from({ length: 10 }, (_, i) => i);
    const [right, left] = await runGraph([[x, data]], [roll(x, 2, 1), roll(x, -1, 0)]);
    expect([...right]).toEqual([3, 4, 0, 1, 2, 8, 9, 5, 6, 7]);
    expect([...left]).toEqual([5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
  });
});

describe('gradient rules of the transformer ops match finite differences', () => {
  it('erf, GELU, SiLU, Mish', async () => {
    await checkGradients([{ shape: [3, 7] }], (x) => erf(x));
    await checkGradients([{ shape: [3, 7] }], (x) => gelu(x));
    await checkGradients([{ shape: [3, 7] }], (x) => silu(x));
    await checkGradients([{ shape: [3, 7] }], (x) => mish(x));
  });
  it('softmax (an axis in the middle too)', async () => {
    await checkGradients([{ shape: [2, 3, 4] }], (x) => softmax(x, -1));
    await checkGradients([{ shape: [2, 3, 4] }], (x) => softmax(x, 1));
  });
  it('LayerNorm with respect to the input, scale and bias', () =>
    checkGradients([{ shape: [2, 3, 5] }, { shape: [5] }, { shape: [5] }], (x, s, b) => layerNorm(x, s, b), { epsilon: 1e-2, tolerance: 3e-2 }));
  it('GroupNorm with respect to the input, scale and bias', () =>
    checkGradients([{ shape: [2, 4, 3, 2] }, { shape: [4] }, { shape: [4] }], (x, s, b) => groupNorm(x, 2, s, b), { tolerance: 3e-2 }));
  it('gathering rows (repeated rows sum their gradients) and roll', async () => {
    await checkGradients([{ shape: [4, 3] }], (t) => gatherRows(t, { data: [1, 1, 3, 0, 1, 2], shape: [3, 2] }));
    await checkGradients([{ shape: [3, 5] }], (x) => roll(x, 2, 1));
  });
  it('batched attention: softmax(q k^T) v with broadcast batch axes', () =>
    checkGradients([{ shape: [2, 3, 4, 5] }, { shape: [2, 3, 4, 5] }, { shape: [1, 3, 4, 5] }], (q, k, v) => matmul(softmax(matmul(q, transposeLast2(k)), -1), v)));
});
