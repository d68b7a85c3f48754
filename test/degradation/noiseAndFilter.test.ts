import { describe, expect, it } from 'vitest';
import { addGaussianNoise, addPoissonNoise } from '../../src/degradation/addNoise.js';
import { gaussianKernel, plateauKernel, type BlurKernel } from '../../src/degradation/blurKernels.js';
import { filter2d, reflectIndex } from '../../src/degradation/filter2d.js';
import { logFactorial, poissonSample, poissonSampler } from '../../src/degradation/poissonSample.js';
import { unsharpMask } from '../../src/degradation/unsharpMask.js';
import { createImageTensor, type ImageTensor } from '../../src/image/tensor.js';
import { Random } from '../../src/nn/random.js';

function randomImage(channels: number, height: number, width: number, seed: number): ImageTensor {
  const random = new Random(seed);
  return createImageTensor(channels, height, width, Float32Array.from({ length: channels * height * width }, () => random.next()));
}

function constantImage(channels: number, height: number, width: number, value: number): ImageTensor {
  return createImageTensor(channels, height, width, new Float32Array(channels * height * width).fill(value));
}

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0) / values.length;
const variance = (values: ArrayLike<number>) => {
  const m = mean(values);
  return Array.from(values).reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1);
};

/** The plain loop: sum over taps of kernel * input at the mirrored position. */
function referenceFilter(image: ImageTensor, kernel: BlurKernel): ImageTensor {
  const out = createImageTensor(image.channels, image.height, image.width);
  const half = (kernel.size - 1) / 2;
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        let total = 0;
        for (let i = 0; i < kernel.size; i++) {
          for (let j = 0; j < kernel.size; j++) {
            const sy = reflectIndex(y + i - half, image.height);
            const sx = reflectIndex(x + j - half, image.width);
            total += kernel.data[i * kernel.size + j] * image.data[(c * image.height + sy) * image.width + sx];
          }
        }
        out.data[(c * image.height + y) * image.width + x] = total;
      }
    }
  }
  return out;
}

describe('filter2d', () => {
  it('mirrors borders without repeating the edge pixel, as reflect padding does', () => {
    expect([-3, -2, -1, 0, 4, 5, 6, 7].map((i) => reflectIndex(i, 5))).toEqual([3, 2, 1, 0, 4, 3, 2, 1]);
  });

  it('matches a plain loop for a 2-D kernel and for a separable one, on sizes that are not multiples of the SIMD width', () => {
    const image = randomImage(3, 23, 37, 1);
    for (const kernel of [plateauKernel(7, { sigmaX: 1.5, sigmaY: 0.7, rotation: 0.4 }, 1.3), gaussianKernel(9, { sigmaX: 1.2, sigmaY: 1.2, rotation: 0 })]) {
      const ours = filter2d(image, kernel);
      const reference = referenceFilter(image, kernel);
      let worst = 0;
      for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(ours.data[i] - reference.data[i]));
      expect(worst).toBeLessThan(2e-6);
    }
  });

  it('keeps a constant picture constant (the kernel sums to 1, mirrored borders add nothing)', () => {
    const out = filter2d(constantImage(1, 16, 16, 0.3), gaussianKernel(21, { sigmaX: 3, sigmaY: 1, rotation: 1 }));
    for (const v of out.data) expect(v).toBeCloseTo(0.3, 5);
  });
});

describe('noise', () => {
  it('Gaussian noise has the drawn standard deviation and zero mean', () => {
    const image = constantImage(3, 128, 128, 0.5);
    const sigma = 20 / 255;
    const noisy = addGaussianNoise(image, new Random(2), sigma, false);
    const noise = noisy.data.map((v) => v - 0.5);
    expect(Math.abs(mean(noise))).toBeLessThan(0.003);
    // 49,152 draws: the sample deviation is within 1% of sigma with overwhelming probability.
    expect(Math.sqrt(variance(noise)) / sigma).toBeGreaterThan(0.98);
    expect(Math.sqrt(variance(noise)) / sigma).toBeLessThan(1.02);
  });

  it('gray Gaussian noise is the same in every channel; colour noise is independent', () => {
    const image = constantImage(3, 32, 32, 0.5);
    const plane = 32 * 32;
    const gray = addGaussianNoise(image, new Random(3), 0.05, true);
    for (let i = 0; i < plane; i++) expect(gray.data[i]).toBe(gray.data[plane + i]);
    const colour = addGaussianNoise(image, new Random(3), 0.05, false);
    let same = 0;
    for (let i = 0; i < plane; i++) if (colour.data[i] === colour.data[plane + i]) same++;
    expect(same).toBeLessThan(plane / 100);
  });

  it('the Poisson sampler has variance equal to its mean, for small and large lambda', () => {
    for (const lambda of [0.7, 4, 37.5, 180]) {
      const random = new Random(11);
      const table = poissonSampler(lambda);
      const tabulated = Float64Array.from({ length: 40000 }, () => table(random));
      const direct = Float64Array.from({ length: 40000 }, () => poissonSample(random, lambda));
      for (const draws of [tabulated, direct]) {
        expect(mean(draws)).toBeCloseTo(lambda, lambda < 10 ? 1 : 0);
        expect(variance(draws) / mean(draws)).toBeGreaterThan(0.96);
        expect(variance(draws) / mean(draws)).toBeLessThan(1.04);
        expect(draws.every((k) => Number.isInteger(k) && k >= 0)).toBe(true);
      }
    }
  });

  it('log(k!) matches the exact sum', () => {
    for (const k of [0, 1, 5, 9, 10, 25, 170]) {
      let exact = 0;
      for (let i = 2; i <= k; i++) exact += Math.log(i);
      expect(logFactorial(k)).toBeCloseTo(exact, 9);
    }
  });

  it('Poisson noise on a flat picture of 8-bit value v has variance v / levels, times the scale squared', () => {
    // Two distinct values make levels = 2^ceil(log2(2)) = 2: the shot noise of a picture with two photon levels.
    const image = constantImage(1, 200, 200, 100 / 255);
    image.data[0] = 0;
    const scale = 0.5;
    const noisy = addPoissonNoise(image, new Random(5), scale, false);
    const noise = Array.from(noisy.data.subarray(1), (v) => v - 100 / 255);
    const levels = 2;
    const v = 100 / 255;
    // out = v + scale (Poisson(v levels) / levels - v), clamped to [0, 1]: mean v, variance scale^2 v / levels (before the clamp).
    expect(Math.abs(mean(noise))).toBeLessThan(0.02);
    const clampedVariance = variance(noise);
    expect(clampedVariance).toBeGreaterThan(0.6 * scale * scale * (v / levels));
    expect(clampedVariance).toBeLessThan(1.05 * scale * scale * (v / levels));
  });
});

describe('unsharp mask', () => {
  it('leaves a flat picture alone and pushes an edge outwards by the weight', () => {
    const flat = constantImage(1, 64, 64, 0.4);
    expect(Array.from(unsharpMask(flat, { weight: 0.5, radius: 50, threshold: 10 }).data).every((v) => Math.abs(v - 0.4) < 1e-6)).toBe(true);
    const edge = createImageTensor(1, 64, 64, Float32Array.from({ length: 64 * 64 }, (_, i) => (i % 64 < 32 ? 0.3 : 0.7)));
    const sharp = unsharpMask(edge, { weight: 0.5, radius: 50, threshold: 10 });
    expect(sharp.data[32 * 64 + 31]).toBeLessThan(0.3);
    expect(sharp.data[32 * 64 + 32]).toBeGreaterThan(0.7);
  });
});
