import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { maxPoolOverlapping } from '../../src/graph/ops/maxPoolOverlapping.js';
import { checkGradients, randomFill } from '../autodiff/gradcheck.js';
import { maxAbsDifference } from '../helpers.js';
import { runGraph } from './runGraph.js';

/** max_pool2d by its definition: the maximum of each kernel x kernel window, windows every `stride` pixels. */
function plainMaxPool(x: Float32Array, [n, c, h, w]: number[], kernel: number, stride: number): Float32Array {
  const [oh, ow] = [Math.floor((h - kernel) / stride) + 1, Math.floor((w - kernel) / stride) + 1];
  const out = new Float32Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < oh; y++) {
      for (let x0 = 0; x0 < ow; x0++) {
        let best = -Infinity;
        for (let dy = 0; dy < kernel; dy++) for (let dx = 0; dx < kernel; dx++) best = Math.max(best, x[(p * h + y * stride + dy) * w + x0 * stride + dx]);
        out[(p * oh + y) * ow + x0] = best;
      }
    }
  }
  return out;
}

describe('max pooling with overlapping windows (ESA: 7x7 at stride 3)', () => {
  for (const [shape, kernel, stride] of [
    [[1, 2, 15, 20], 7, 3],
    [[2, 1, 9, 7], 3, 2],
    [[1, 1, 7, 7], 7, 3],
  ] as [number[], number, number][]) {
    it(`${shape.join('x')}, ${kernel}x${kernel} every ${stride}: equal to a plain loop`, async () => {
      const graph = new Graph();
      const input = graph.input('x', 'float32', shape);
      const x = randomFill(shape.reduce((a, b) => a * b, 1), 5);
      const [y] = await runGraph([[input, x]], [maxPoolOverlapping(input, kernel, stride)]);
      expect(maxAbsDifference(y, plainMaxPool(x, shape, kernel, stride))).toBe(0);
    });
  }

  it('its gradient (to the maximum of each window, summed where windows overlap) matches finite differences', () =>
    checkGradients([{ shape: [1, 2, 8, 9] }], (x) => maxPoolOverlapping(x, 3, 2), { epsilon: 1e-3 }));

  it('refuses a window larger than the picture', () => {
    const graph = new Graph();
    expect(() => maxPoolOverlapping(graph.input('x', 'float32', [1, 1, 6, 9]), 7, 3)).toThrow(/does not fit/);
  });
});
