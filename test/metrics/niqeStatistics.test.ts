import { describe, expect, it } from 'vitest';
import { gammaFunction } from '../../src/metrics/gammaFunction.js';
import { blockFeatures, estimateAggd, FEATURES_PER_BLOCK, mscnCoefficients, type FilterWindow } from '../../src/metrics/naturalSceneStatistics.js';
import type { Plane } from '../../src/metrics/plane.js';
import { maxAbsDifference, randomImage } from '../helpers.js';

function randomPlane(height: number, width: number, seed: number): Plane {
  return { height, width, data: Float64Array.from(randomImage(1, height, width, seed).data, (v) => Math.round(v * 255)) };
}

/** MATLAB's fspecial('gaussian', 7, 7/6), the window the pristine model ships. */
function gaussianWindow(): FilterWindow {
  const data = new Float64Array(49);
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) data[i * 7 + j] = Math.exp(-((i - 3) ** 2 + (j - 3) ** 2) / (2 * (7 / 6) ** 2));
  const total = data.reduce((a, b) => a + b, 0);
  return { size: 7, data: data.map((v) => v / total) };
}

describe('gammaFunction', () => {
  it.each([
    [0.1, 9.5135076986687318],
    [1 / 3, 2.6789385347077476],
    [0.5, Math.sqrt(Math.PI)],
    [1.5, Math.sqrt(Math.PI) / 2],
    [5, 24],
    [15, 87178291200],
  ])('Γ(%f) = %f to 1e-14', (x, expected) => {
    expect(Math.abs(gammaFunction(x) - expected) / expected).toBeLessThan(1e-14);
  });
});

describe('estimateAggd', () => {
  it('fits a symmetric sample with the Laplacian moment ratio E|x|²/E[x²] = 1/2 with shape 1', () => {
    // Half zeros, a quarter at ±3: zeros count in the moments but on neither side.
    const values = [0, 0, 0, 0, 3, 3, -3, -3];
    const { shape, leftScale, rightScale } = estimateAggd(values);
    expect(shape).toBeCloseTo(1, 12);
    // A Laplacian of standard deviation σ has scale σ / √2.
    expect(leftScale).toBeCloseTo(3 / Math.SQRT2, 12);
    expect(rightScale).toBeCloseTo(3 / Math.SQRT2, 12);
  });

  it('gives each side its own scale', () => {
    // 125 at -1, 125 at +2 and 236 zeros: the asymmetry-corrected ratio is again exactly 1/2.
    const values = [...Array(125).fill(-1), ...Array(125).fill(2), ...Array(236).fill(0)];
    const { shape, leftScale, rightScale } = estimateAggd(values);
    expect(shape).toBeCloseTo(1, 12);
    expect(leftScale).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(rightScale).toBeCloseTo(2 / Math.SQRT2, 12);
  });

  it('reports the reference code\'s shape 0.2 and a NaN scale when one side is empty', () => {
    const { shape, leftScale, rightScale } = estimateAggd([0, 1, 2, 3]);
    expect(shape).toBeCloseTo(0.2, 15);
    expect(leftScale).toBeNaN();
    expect(rightScale).toBeGreaterThan(0);
  });
});

describe('mscnCoefficients', () => {
  /** (I - μ) / (σ + 1) straight from the definition, on an explicitly edge-padded copy. */
  function referenceMscn(plane: Plane, window: FilterWindow): Float64Array {
    const at = (y: number, x: number) =>
      plane.data[Math.min(plane.height - 1, Math.max(0, y)) * plane.width + Math.min(plane.width - 1, Math.max(0, x))];
    const out = new Float64Array(plane.data.length);
    for (let y = 0; y < plane.height; y++) {
      for (let x = 0; x < plane.width; x++) {
        let mean = 0;
        let meanSquare = 0;
        for (let i = -3; i <= 3; i++) {
          for (let j = -3; j <= 3; j++) {
            const w = window.data[(3 - i) * 7 + (3 - j)];
            mean += w * at(y + i, x + j);
            meanSquare += w * at(y + i, x + j) ** 2;
          }
        }
        out[y * plane.width + x] = (at(y, x) - mean) / (Math.sqrt(Math.abs(meanSquare - mean * mean)) + 1);
      }
    }
    return out;
  }

  it('matches the definition with replicated borders', () => {
    const plane = randomPlane(23, 17, 4);
    expect(maxAbsDifference(mscnCoefficients(plane, gaussianWindow()).data, referenceMscn(plane, gaussianWindow()))).toBeLessThan(1e-12);
  });

  it('convolves (flips the window) rather than correlating', () => {
    const window: FilterWindow = { size: 7, data: new Float64Array(49) };
    window.data[3 * 7 + 6] = 1; // all weight on the right-hand neighbour once flipped to the left
    const plane: Plane = { height: 1, width: 9, data: Float64Array.of(0, 10, 20, 30, 40, 50, 60, 70, 80) };
    const mscn = mscnCoefficients(plane, window);
    expect(mscn.data[4]).toBeCloseTo(40 - 10, 12); // μ = I(x - 3) = 10 and σ = 0
    expect(maxAbsDifference(mscn.data, referenceMscn(plane, window))).toBeLessThan(1e-12);
  });

  it('is exactly zero where the neighbourhood is flat', () => {
    const plane = randomPlane(20, 20, 9);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 10; x++) plane.data[y * 20 + x] = 100; // a level where summing w·I directly misses 100 by 1e-14
    const mscn = mscnCoefficients(plane, gaussianWindow());
    for (let y = 0; y < 20; y++) for (let x = 0; x <= 6; x++) expect(Math.abs(mscn.data[y * 20 + x])).toBe(0);
    expect(mscn.data[9 * 20 + 9]).not.toBe(0);
  });
});

describe('blockFeatures', () => {
  const mscn = mscnCoefficients(randomPlane(40, 40, 2), gaussianWindow());

  it('gives 18 finite features for a textured block', () => {
    const features = blockFeatures(mscn, 4, 6, 32, 32);
    expect(features).toHaveLength(FEATURES_PER_BLOCK);
    expect(FEATURES_PER_BLOCK).toBe(18);
    expect(features.every(Number.isFinite)).toBe(true);
  });

  it('treats the block as a torus: a circular shift of the block leaves every feature unchanged', () => {
    const size = 16;
    const block: Plane = { height: size, width: size, data: mscn.data.filter((_, i) => Math.floor(i / 40) < size && i % 40 < size) };
    const shifted: Plane = {
      height: size,
      width: size,
      data: block.data.map((_, i) => block.data[((Math.floor(i / size) + 5) % size) * size + ((i % size) + 11) % size]),
    };
    expect(maxAbsDifference(blockFeatures(shifted, 0, 0, size, size), blockFeatures(block, 0, 0, size, size))).toBeLessThan(1e-12);
  });

  it('orders the pair features horizontal, vertical, then the two diagonals', () => {
    const size = 16;
    const block: Plane = { height: size, width: size, data: mscn.data.filter((_, i) => Math.floor(i / 40) < size && i % 40 < size) };
    const transposed: Plane = { height: size, width: size, data: block.data.map((_, i) => block.data[(i % size) * size + Math.floor(i / size)]) };
    const original = Array.from(blockFeatures(block, 0, 0, size, size));
    const swapped = Array.from(blockFeatures(transposed, 0, 0, size, size));
    const close = (a: number[], b: number[]) => expect(maxAbsDifference(a, b)).toBeLessThan(1e-12);
    close(swapped.slice(0, 2), original.slice(0, 2));
    close(swapped.slice(2, 6), original.slice(6, 10)); // horizontal <-> vertical
    close(swapped.slice(6, 10), original.slice(2, 6));
    close(swapped.slice(10, 18), original.slice(10, 18)); // each diagonal maps onto itself
    expect(maxAbsDifference(original.slice(2, 6), original.slice(6, 10))).toBeGreaterThan(1e-3);
  });
});
