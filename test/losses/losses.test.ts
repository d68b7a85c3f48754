import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { charbonnierLoss, l1Loss, mseLoss } from '../../src/losses/pixelLosses.js';
import { hfenLoss, ssimLoss, weightedSum } from '../../src/losses/structuralLosses.js';
import { ssim } from '../../src/metrics/ssim.js';
import { randomFill } from '../autodiff/gradcheck.js';
import { runGraph } from '../graph/runGraph.js';

describe('losses', () => {
  const shape = [1, 1, 24, 20];
  const n = 24 * 20;
  const a = randomFill(n, 1).map((v) => (v + 1) / 2);
  const b = a.map((v, i) => Math.min(1, Math.max(0, v + 0.1 * Math.sin(i))));

  it('L1, MSE and Charbonnier equal their definitions', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', shape);
    const y = g.input('y', 'float32', shape);
    const [l1, mse, charbonnier, sum] = await runGraph([[x, a], [y, b]], [l1Loss(x, y), mseLoss(x, y), charbonnierLoss(x, y, 1e-3), weightedSum([{ weight: 2, value: l1Loss(x, y) }, { weight: 1, value: mseLoss(x, y) }])]);
    const d = Array.from(a, (v, i) => v - b[i]);
    expect(l1[0]).toBeCloseTo(d.reduce((s, v) => s + Math.abs(v), 0) / n, 6);
    expect(mse[0]).toBeCloseTo(d.reduce((s, v) => s + v * v, 0) / n, 6);
    expect(charbonnier[0]).toBeCloseTo(d.reduce((s, v) => s + Math.sqrt(v * v + 1e-6), 0) / n, 6);
    expect(sum[0]).toBeCloseTo(2 * l1[0] + mse[0], 6);
  });

  it('the SSIM loss is 1 - SSIM as the metric computes it (scaled to 0..255)', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', shape);
    const y = g.input('y', 'float32', shape);
    const [loss] = await runGraph([[x, a], [y, b]], [ssimLoss(x, y)]);
    const plane = (v: Float32Array) => ({ height: 24, width: 20, data: Float64Array.from(v, (p) => p * 255) });
    expect(loss[0]).toBeCloseTo(1 - ssim(plane(a), plane(b)), 4);
  });

  it('the HFEN loss is zero for equal images and grows with high-frequency error', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', shape);
    const y = g.input('y', 'float32', shape);
    const noisy = b.map((v, i) => v + (i % 2 ? 0.05 : -0.05));
    const [same] = await runGraph([[x, a], [y, a]], [hfenLoss(x, y)]);
    const [small] = await runGraph([[x, a], [y, b]], [hfenLoss(x, y)]);
    const [large] = await runGraph([[x, a], [y, noisy]], [hfenLoss(x, y)]);
    expect(same[0]).toBe(0);
    expect(large[0]).toBeGreaterThan(small[0]);
  });
});
