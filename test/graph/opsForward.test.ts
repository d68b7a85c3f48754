import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { batchNormTraining } from '../../src/graph/ops/batchNorm.js';
import { conv } from '../../src/graph/ops/conv.js';
import { defineOp } from '../../src/graph/opDefinition.js';
import { pad } from '../../src/graph/ops/pad.js';
import { pixelShuffle, pixelUnshuffle } from '../../src/graph/ops/pixelShuffle.js';
import { resizeBilinear } from '../../src/graph/ops/resize.js';
import { float32Tensor } from '../../src/graph/tensorData.js';
import { randomFill } from '../autodiff/gradcheck.js';
import { maxAbsDifference } from '../helpers.js';
import { runGraph } from './runGraph.js';

/** Cross-correlation by its definition, one output element at a time. */
function referenceConv(x: Float32Array, xs: number[], w: Float32Array, ws: number[], b: Float32Array | undefined, stride: number, padding: number, group: number) {
  const [n, cin, h, wd] = xs;
  const [cout, cinPerGroup, kh, kw] = ws;
  const ho = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const wo = Math.floor((wd + 2 * padding - kw) / stride) + 1;
  const out = new Float32Array(n * cout * ho * wo);
  const coutPerGroup = cout / group;
  for (let b0 = 0; b0 < n; b0++)
    for (let co = 0; co < cout; co++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++) {
          let sum = b ? b[co] : 0;
          const g = Math.floor(co / coutPerGroup);
          for (let ci = 0; ci < cinPerGroup; ci++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const iy = oy * stride + ky - padding;
                const ix = ox * stride + kx - padding;
                if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
                sum += w[((co * cinPerGroup + ci) * kh + ky) * kw + kx] * x[((b0 * cin + g * cinPerGroup + ci) * h + iy) * wd + ix];
              }
          out[((b0 * cout + co) * ho + oy) * wo + ox] = sum;
        }
  return out;
}

describe('ops compute what their definitions say', () => {
  it('Conv equals a plain-loop cross-correlation (strided, padded, grouped, biased, one output channel)', async () => {
    for (const [stride, padding, group, cout] of [[1, 1, 1, 6], [2, 1, 1, 6], [1, 0, 2, 6], [2, 2, 2, 6], [1, 1, 1, 1]]) {
      const g = new Graph();
      const xs = [2, 4, 7, 6];
      const ws = [cout, 4 / group, 3, 3];
      const x = g.input('x', 'float32', xs);
      const w = g.input('w', 'float32', ws);
      const b = g.input('b', 'float32', [cout]);
      const [xd, wd, bd] = [randomFill(2 * 4 * 7 * 6, 1), randomFill(cout * (4 / group) * 9, 2), randomFill(cout, 3)];
      const y = conv(x, w, b, { strides: [stride, stride], pads: [padding, padding, padding, padding], group });
      const [out] = await runGraph([[x, xd], [w, wd], [b, bd]], [y]);
      expect(maxAbsDifference(out, referenceConv(xd, xs, wd, ws, bd, stride, padding, group))).toBeLessThan(1e-5);
    }
  });

  it('reflect and edge Pad equal ONNX Pad in those modes', async () => {
    for (const mode of ['reflect', 'edge'] as const) {
      const g = new Graph();
      const x = g.input('x', 'float32', [1, 2, 4, 5]);
      const pads = [0, 0, 2, 3, 0, 0, 3, 1];
      const ours = pad(x, pads, mode);
      // ONNX's own Pad op in that mode, as an independent reference.
      const onnxPad = defineOp({ type: 'Pad' });
      const theirs = g.addNode(onnxPad, [x, g.int64s(pads)], { mode }, [{ dtype: 'float32', shape: ours.shape }])[0];
      const [a, b] = await runGraph([[x, randomFill(40, 5)]], [ours, theirs]);
      expect(maxAbsDifference(a, b)).toBe(0);
    }
  });

  it('bilinear upsampling equals ONNX Resize linear with half-pixel centres', async () => {
    for (const factor of [2, 3, 4]) {
      const g = new Graph();
      const x = g.input('x', 'float32', [1, 2, 5, 4]);
      const ours = resizeBilinear(x, factor);
      const resize = defineOp({ type: 'Resize' });
      const scales = g.constant(float32Tensor([1, 1, factor, factor], [4]));
      const theirs = g.addNode(resize, [x, undefined, scales], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, [
        { dtype: 'float32', shape: ours.shape },
      ])[0];
      const [a, b] = await runGraph([[x, randomFill(40, 6)]], [ours, theirs]);
      expect(maxAbsDifference(a, b)).toBeLessThan(1e-6);
    }
  });

  it('PixelShuffle puts channel c*r*r + i*r + j at (h*r + i, w*r + j) as torch does, and PixelUnshuffle inverts it', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [1, 8, 2, 3]);
    const y = pixelShuffle(x, 2);
    const back = pixelUnshuffle(y, 2);
    const data = Float32Array.from({ length: 48 }, (_, i) => i);
    const [shuffled, restored] = await runGraph([[x, data]], [y, back]);
    for (let c = 0; c < 2; c++)
      for (let h = 0; h < 2; h++)
        for (let w = 0; w < 3; w++)
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++) expect(shuffled[(c * 4 + h * 2 + i) * 6 + w * 2 + j]).toBe(data[((c * 4 + i * 2 + j) * 2 + h) * 3 + w]);
    expect(Array.from(restored)).toEqual(Array.from(data));
  });

  it('BatchNorm in training normalises each channel and updates running statistics as PyTorch does', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [4, 2, 3, 3]);
    const gamma = g.constant(float32Tensor([2, 0.5], [2]));
    const beta = g.constant(float32Tensor([1, -1], [2]));
    const mean = g.constant(float32Tensor([0, 0], [2]));
    const variance = g.constant(float32Tensor([1, 1], [2]));
    const result = batchNormTraining(x, gamma, beta, { mean, variance, momentum: 0.1 });
    const data = randomFill(72, 8).map((v, i) => v * 3 + (Math.floor(i / 9) % 2) * 5);
    const [y, runningMean, runningVar] = await runGraph([[x, data]], [result.y, result.runningMean, result.runningVar]);
    for (let c = 0; c < 2; c++) {
      const values: number[] = [];
      const outs: number[] = [];
      for (let n = 0; n < 4; n++) for (let i = 0; i < 9; i++) {
        values.push(data[(n * 2 + c) * 9 + i]);
        outs.push(y[(n * 2 + c) * 9 + i]);
      }
      const m = values.reduce((a, b) => a + b, 0) / 36;
      const biased = values.reduce((a, b) => a + (b - m) ** 2, 0) / 36;
      const unbiased = (biased * 36) / 35;
      expect(outs.reduce((a, b) => a + b, 0) / 36).toBeCloseTo([1, -1][c], 4);
      expect(runningMean[c]).toBeCloseTo(0.1 * m, 5);
      expect(runningVar[c]).toBeCloseTo(0.9 + 0.1 * unbiased, 4);
    }
  });
});
