import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { unfold, type UnfoldOptions } from '../../src/graph/ops/unfold.js';
import { checkGradients, randomFill } from '../autodiff/gradcheck.js';
import { runGraph } from './runGraph.js';

/** torch.nn.Unfold by its definition: out[b, (c, i, j), (r, s)] = x[b, c, r * stride + i - pad, s * stride + j - pad], 0 outside. */
function unfoldLoop(x: Float32Array, [b, c, h, w]: number[], { kernel: k, stride, padding }: UnfoldOptions): { data: Float32Array; patches: number } {
  const rows = Math.floor((h + 2 * padding - k) / stride) + 1;
  const columns = Math.floor((w + 2 * padding - k) / stride) + 1;
  const out = new Float32Array(b * c * k * k * rows * columns);
  let o = 0;
  for (let n = 0; n < b; n++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++)
          for (let r = 0; r < rows; r++)
            for (let s = 0; s < columns; s++) {
              const [y, xx] = [r * stride + i - padding, s * stride + j - padding];
              out[o++] = y >= 0 && y < h && xx >= 0 && xx < w ? x[((n * c + ch) * h + y) * w + xx] : 0;
            }
  return { data: out, patches: rows * columns };
}

describe('unfold (torch.nn.Unfold, im2col) from pad and slices', () => {
  for (const [shape, options] of [
    [[2, 3, 8, 12], { kernel: 6, stride: 4, padding: 1 }], // HAT's overlapping windows: window 4, overlap 0.5
    [[1, 2, 7, 5], { kernel: 3, stride: 2, padding: 0 }], // windows that leave a remainder
    [[1, 1, 4, 4], { kernel: 4, stride: 4, padding: 0 }], // one window
  ] as [number[], UnfoldOptions][]) {
    it(`${shape.join('x')}, kernel ${options.kernel}, stride ${options.stride}, padding ${options.padding}: equal to the definition`, async () => {
      const graph = new Graph();
      const input = graph.input('x', 'float32', shape);
      const x = randomFill(shape.reduce((a, d) => a * d, 1), 5);
      const y = unfold(input, options);
      const [out] = await runGraph([[input, x]], [y]);
      const expected = unfoldLoop(x, shape, options);
      expect(y.shape).toEqual([shape[0], shape[1] * options.kernel ** 2, expected.patches]);
      expect([...out]).toEqual([...expected.data]);
    });
  }

  it('has the gradient finite differences give (overlapping patches sum into the input)', () =>
    checkGradients([{ shape: [1, 2, 6, 6] }], (x) => unfold(x, { kernel: 4, stride: 2, padding: 1 })));

  it('refuses a kernel larger than the padded input', () => {
    const graph = new Graph();
    expect(() => unfold(graph.input('x', 'float32', [1, 1, 3, 3]), { kernel: 6, stride: 1, padding: 1 })).toThrow(/does not fit/);
  });
});
