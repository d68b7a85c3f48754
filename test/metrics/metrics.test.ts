import { describe, expect, it } from 'vitest';
import { evaluationPlane } from '../../src/metrics/evaluationPlane.js';
import { hfen, laplacianOfGaussian } from '../../src/metrics/hfen.js';
import { mse } from '../../src/metrics/mse.js';
import type { Plane } from '../../src/metrics/plane.js';
import { psnr } from '../../src/metrics/psnr.js';
import { ssim } from '../../src/metrics/ssim.js';
import { createImageTensor } from '../../src/image/tensor.js';
import { randomImage } from '../helpers.js';

function plane(height: number, width: number, f: (y: number, x: number) => number): Plane {
  const data = new Float64Array(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(y, x);
  return { height, width, data };
}

function noisy(base: Plane, amplitude: number, seed: number): Plane {
  let state = seed;
  return {
    ...base,
    data: base.data.map((v) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return Math.min(255, Math.max(0, v + (state / 2 ** 32 - 0.5) * 2 * amplitude));
    }),
  };
}

const texture = plane(40, 37, (y, x) => 128 + 60 * Math.sin(x / 3) * Math.cos(y / 5) + 30 * Math.sin((x * y) / 40));

/** SSIM by its definition: an explicit 11x11 Gaussian window at every valid position (no separable filtering). */
function referenceSsim(a: Plane, b: Plane): number {
  const window: number[][] = [];
  let total = 0;
  for (let i = 0; i < 11; i++) {
    window.push([]);
    for (let j = 0; j < 11; j++) {
      const w = Math.exp(-((i - 5) ** 2 + (j - 5) ** 2) / (2 * 1.5 ** 2));
      window[i].push(w);
      total += w;
    }
  }
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let sum = 0;
  let count = 0;
  for (let y = 0; y + 11 <= a.height; y++) {
    for (let x = 0; x + 11 <= a.width; x++) {
      let ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
      for (let i = 0; i < 11; i++) {
        for (let j = 0; j < 11; j++) {
          const w = window[i][j] / total;
          const va = a.data[(y + i) * a.width + x + j];
          const vb = b.data[(y + i) * b.width + x + j];
          ma += w * va; mb += w * vb; aa += w * va * va; bb += w * vb * vb; ab += w * va * vb;
        }
      }
      const num = (2 * ma * mb + c1) * (2 * (ab - ma * mb) + c2);
      const den = (ma * ma + mb * mb + c1) * (aa - ma * ma + bb - mb * mb + c2);
      sum += num / den;
      count++;
    }
  }
  return sum / count;
}

describe('mse and psnr', () => {
  it('PSNR of a uniform error of 10 levels is 10 log10(255^2 / 100)', () => {
    const a = plane(8, 8, () => 100);
    const b = plane(8, 8, () => 110);
    expect(mse(a, b)).toBe(100);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(65025 / 100), 12);
  });

  it('PSNR of identical images is infinite', () => {
    expect(psnr(texture, texture)).toBe(Infinity);
  });

  it('refuses images of different sizes, naming the metric', () => {
    expect(() => psnr(texture, plane(3, 3, () => 0))).toThrow(/mse: images differ in size/);
  });
});

describe('ssim', () => {
  it('equals an explicit-window reference implementation', () => {
    for (const amplitude of [5, 40]) {
      const b = noisy(texture, amplitude, amplitude);
      expect(ssim(texture, b)).toBeCloseTo(referenceSsim(texture, b), 10);
    }
  });

  it('is 1 for identical images and falls as noise grows', () => {
    expect(ssim(texture, texture)).toBeCloseTo(1, 12);
    const small = ssim(texture, noisy(texture, 5, 1));
    const large = ssim(texture, noisy(texture, 40, 1));
    expect(small).toBeLessThan(1);
    expect(large).toBeLessThan(small);
  });
});

describe('hfen', () => {
  it('uses a Laplacian of Gaussian whose coefficients sum to zero and whose response to x^2 + y^2 is about 4', () => {
    const size = 15;
    const kernel = laplacianOfGaussian(size, 1.5);
    const sum = kernel.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum)).toBeLessThan(1e-12);
    let response = 0;
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) response += kernel[y * size + x] * ((x - 7) ** 2 + (y - 7) ** 2);
    expect(response).toBeGreaterThan(3.8);
    expect(response).toBeLessThan(4.2);
  });

  it('is 0 for identical images, unchanged by a brightness offset, and grows with noise', () => {
    expect(hfen(texture, texture)).toBe(0);
    const b = noisy(texture, 10, 3);
    const shifted = (p: Plane): Plane => ({ ...p, data: p.data.map((v) => v + 17) });
    expect(hfen(shifted(b), shifted(texture))).toBeCloseTo(hfen(b, texture), 9);
    expect(hfen(noisy(texture, 30, 3), texture)).toBeGreaterThan(hfen(b, texture));
  });
});

describe('evaluationPlane', () => {
  it('measures RGB on the rounded MATLAB Y and crops the border', () => {
    const image = createImageTensor(3, 4, 4, new Float32Array(48).fill(200 / 255));
    const measured = evaluationPlane(image, 1);
    expect([measured.height, measured.width]).toEqual([2, 2]);
    expect(Array.from(measured.data)).toEqual(new Array(4).fill(Math.round(16 + (219 * 200) / 255)));
  });

  it('measures a gray image on its own channel, not through the Y formula', () => {
    const gray = createImageTensor(1, 3, 3, new Float32Array(9).fill(200 / 255));
    expect(Array.from(evaluationPlane(gray, 0).data)).toEqual(new Array(9).fill(200));
  });

  it('ignores alpha', () => {
    const rgba = randomImage(4, 5, 5, 2);
    const rgb = createImageTensor(3, 5, 5, rgba.data.slice(0, 75));
    expect(evaluationPlane(rgba, 0).data).toEqual(evaluationPlane(rgb, 0).data);
  });
});
