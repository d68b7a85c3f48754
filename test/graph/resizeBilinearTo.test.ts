import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { resizeBilinearTo } from '../../src/graph/ops/resizeBilinearTo.js';
import { checkGradients, randomFill } from '../autodiff/gradcheck.js';
import { maxAbsDifference } from '../helpers.js';
import { runGraph } from './runGraph.js';

/** PyTorch's bilinear interpolation to a size, align_corners=False, written out per output pixel. */
function plainBilinear(x: Float32Array, [n, c, h, w]: number[], [oh, ow]: [number, number]): Float32Array {
  const out = new Float32Array(n * c * oh * ow);
  const source = (i: number, inLength: number, outLength: number) => {
    const s = Math.max((i + 0.5) * (inLength / outLength) - 0.5, 0);
    const low = Math.floor(s);
    return { low, high: Math.min(low + 1, inLength - 1), t: s - low };
  };
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < oh; y++) {
      const r = source(y, h, oh);
      for (let x0 = 0; x0 < ow; x0++) {
        const q = source(x0, w, ow);
        const at = (yy: number, xx: number) => x[(p * h + yy) * w + xx];
        const top = (1 - q.t) * at(r.low, q.low) + q.t * at(r.low, q.high);
        const bottom = (1 - q.t) * at(r.high, q.low) + q.t * at(r.high, q.high);
        out[(p * oh + y) * ow + x0] = (1 - r.t) * top + r.t * bottom;
      }
    }
  }
  return out;
}

describe('bilinear resizing to any size (PyTorch align_corners=False)', () => {
  for (const [shape, size] of [
    [[1, 2, 3, 4], [32, 35]],
    [[2, 1, 1, 1], [5, 6]],
    [[1, 1, 4, 3], [6, 3]],
  ] as [number[], [number, number]][]) {
    it(`${shape.join('x')} to ${size.join('x')}: equal to the formula per pixel`, async () => {
      const graph = new Graph();
      const input = graph.input('x', 'float32', shape);
      const x = randomFill(shape.reduce((a, b) => a * b, 1), 3);
      const [y] = await runGraph([[input, x]], [resizeBilinearTo(input, size)]);
      expect(maxAbsDifference(y, plainBilinear(x, shape, size))).toBeLessThan(1e-6);
    });
  }

  it('its gradient matches finite differences', () => checkGradients([{ shape: [1, 2, 3, 2] }], (x) => resizeBilinearTo(x, [7, 5])));
});
