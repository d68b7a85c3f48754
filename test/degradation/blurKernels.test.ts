import { describe, expect, it } from 'vitest';
import { besselJ1 } from '../../src/degradation/besselJ1.js';
import { circularLowpassKernel, gaussianKernel, generalizedGaussianKernel, plateauKernel, type BlurKernel } from '../../src/degradation/blurKernels.js';
import { defaultDegradationSettings } from '../../src/degradation/degradationSettings.js';
import { drawBlurKernel } from '../../src/degradation/randomKernel.js';
import { Random } from '../../src/nn/random.js';

const sum = (k: BlurKernel) => k.data.reduce((a, b) => a + b, 0);
const at = (k: BlurKernel, row: number, col: number) => k.data[row * k.size + col];

/** The kernel's frequency response at (u, v) radians per pixel (a real sum: the kernels are point-symmetric). */
function response(k: BlurKernel, u: number, v: number): number {
  const half = (k.size - 1) / 2;
  let total = 0;
  for (let row = 0; row < k.size; row++) for (let col = 0; col < k.size; col++) total += at(k, row, col) * Math.cos(u * (col - half) + v * (row - half));
  return total;
}

describe('Bessel J1', () => {
  it('matches tabulated values (Abramowitz & Stegun, table 9.1) and its first zero', () => {
    expect(besselJ1(1)).toBeCloseTo(0.4400505857, 7);
    expect(besselJ1(2.5)).toBeCloseTo(0.4970941025, 7);
    expect(besselJ1(5)).toBeCloseTo(-0.3275791376, 7);
    expect(besselJ1(10)).toBeCloseTo(0.0434727462, 7);
    expect(besselJ1(-1)).toBeCloseTo(-0.4400505857, 7);
    expect(Math.abs(besselJ1(3.8317059702))).toBeLessThan(1e-7);
  });
});

describe('blur kernels', () => {
  const shape = { sigmaX: 2.5, sigmaY: 1, rotation: Math.PI / 6 };

  it('each sums to 1 and is point-symmetric', () => {
    for (const k of [gaussianKernel(21, shape), generalizedGaussianKernel(15, shape, 0.7), plateauKernel(13, shape, 1.5), circularLowpassKernel(17, 1.2)]) {
      expect(sum(k)).toBeCloseTo(1, 12);
      for (let row = 0; row < k.size; row++) for (let col = 0; col < k.size; col++) expect(at(k, row, col)).toBeCloseTo(at(k, k.size - 1 - row, k.size - 1 - col), 14);
    }
  });

  it('the anisotropic Gaussian follows exp(-x^T Sigma^-1 x / 2) with Sigma = R diag(sx^2, sy^2) R^T', () => {
    const k = gaussianKernel(21, shape);
    const formula = (x: number, y: number) => {
      const c = Math.cos(shape.rotation);
      const s = Math.sin(shape.rotation);
      const u = c * x + s * y;
      const v = -s * x + c * y;
      return Math.exp(-0.5 * ((u / shape.sigmaX) ** 2 + (v / shape.sigmaY) ** 2));
    };
    const centre = at(k, 10, 10);
    for (let row = 0; row < 21; row++) for (let col = 0; col < 21; col++) expect(at(k, row, col) / centre).toBeCloseTo(formula(col - 10, row - 10), 10);
  });

  it('is isotropic and separable when the sigmas are equal, whatever the rotation', () => {
    const k = gaussianKernel(11, { sigmaX: 1.7, sigmaY: 1.7, rotation: 1 });
    expect(k.separable).toBeDefined();
    for (let row = 0; row < 11; row++) for (let col = 0; col < 11; col++) expect(at(k, row, col)).toBeCloseTo(k.separable![row] * k.separable![col], 14);
    expect(at(k, 5, 8)).toBeCloseTo(at(k, 8, 5), 14);
  });

  it('the generalized Gaussian with beta 1 is the Gaussian; beta < 1 has heavier tails', () => {
    const gaussian = gaussianKernel(15, shape);
    const same = generalizedGaussianKernel(15, shape, 1);
    for (let i = 0; i < gaussian.data.length; i++) expect(same.data[i]).toBeCloseTo(gaussian.data[i], 14);
    const heavy = generalizedGaussianKernel(15, shape, 0.5);
    expect(at(heavy, 0, 0) / at(heavy, 7, 7)).toBeGreaterThan(at(gaussian, 0, 0) / at(gaussian, 7, 7));
  });

  it('the plateau kernel follows 1 / (1 + q^beta)', () => {
    const iso = { sigmaX: 2, sigmaY: 2, rotation: 0 };
    const k = plateauKernel(9, iso, 2);
    const q = (x: number, y: number) => (x * x + y * y) / 4;
    expect(at(k, 4, 7) / at(k, 4, 4)).toBeCloseTo(1 / (1 + q(3, 0) ** 2), 12);
    expect(at(k, 2, 6) / at(k, 4, 4)).toBeCloseTo(1 / (1 + q(2, 2) ** 2), 12);
  });

  it("the circular low-pass passes frequencies below its cutoff and stops those above", () => {
    const omega = Math.PI / 2;
    const k = circularLowpassKernel(21, omega);
    // Radial: the same at the same distance in any direction.
    expect(at(k, 10, 13)).toBeCloseTo(at(k, 13, 10), 14);
    expect(response(k, 0, 0)).toBeCloseTo(1, 10);
    expect(response(k, 0.5 * omega, 0)).toBeGreaterThan(0.85);
    expect(response(k, 0.35 * omega, 0.35 * omega)).toBeGreaterThan(0.85);
    expect(Math.abs(response(k, 1.6 * omega, 0))).toBeLessThan(0.12);
    expect(Math.abs(response(k, 1.3 * omega, 1.3 * omega))).toBeLessThan(0.12);
  });

  it('draws kernels of the configured sizes, the sinc at its probability, and is reproducible from the seed', () => {
    const settings = defaultDegradationSettings().first.blur;
    const random = new Random(7);
    const sizes = new Set<number>();
    let sincLike = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const k = drawBlurKernel(random, settings);
      sizes.add(k.size);
      // Only the sinc has negative taps.
      if (k.data.some((v) => v < -1e-12)) sincLike++;
    }
    expect([...sizes].sort((a, b) => a - b)).toEqual([7, 9, 11, 13, 15, 17, 19, 21]);
    // A sinc of low cutoff in a small window can have no negative tap: the count is a lower bound of 10%.
    expect(sincLike / n).toBeGreaterThan(0.06);
    expect(sincLike / n).toBeLessThan(0.12);
    const again = [drawBlurKernel(new Random(3), settings), drawBlurKernel(new Random(3), settings)];
    expect(Array.from(again[0].data)).toEqual(Array.from(again[1].data));
  });
});
