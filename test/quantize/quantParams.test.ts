import { describe, expect, it } from 'vitest';
import { kthSmallest } from '../../src/quantize/activationRanges.js';
import { gridCrops } from '../../src/quantize/calibrationCrops.js';
import { activationQuantization, quantizeBias, quantizeWeightsPerChannel } from '../../src/quantize/quantParams.js';
import { randomImage } from '../helpers.js';

/** A deterministic stream in [-1, 1). */
function noise(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 30) - 1);
}

describe('linear quantization parameters', () => {
  it('uint8 activations: the range maps onto 0..255 and zero is exact', () => {
    const { scale, zeroPoint } = activationQuantization({ min: -1, max: 3 });
    expect(scale).toBeCloseTo(4 / 255, 12);
    expect(zeroPoint).toBe(64);
    const dequantize = (q: number) => (q - zeroPoint) * scale;
    expect(dequantize(0)).toBeCloseTo(-1, 1);
    expect(dequantize(255)).toBeCloseTo(3, 1);
    // A range that excludes zero is widened to include it.
    expect(activationQuantization({ min: 0.5, max: 2 })).toEqual({ scale: 2 / 255, zeroPoint: 0 });
  });

  it('int8 weights, one scale per output channel, no worse than max/127 and within [-127, 127]', () => {
    const shape = [4, 3, 3, 3];
    const weights = noise(4 * 27, 7);
    for (let i = 27; i < 54; i++) weights[i] *= 0.01; // a channel 100x smaller keeps its own resolution
    weights[60] = 5; // one outlier in channel 2
    weights.fill(0, 81); // an all-zero channel
    const { values, scales } = quantizeWeightsPerChannel(weights, shape, 0);
    for (const v of values) expect(Math.abs(v)).toBeLessThanOrEqual(127);
    for (let c = 0; c < 4; c++) {
      const slice = weights.subarray(c * 27, (c + 1) * 27);
      const peak = Math.max(...slice.map(Math.abs));
      let error = 0;
      let naive = 0;
      for (let i = 0; i < 27; i++) {
        error += (slice[i] - values[c * 27 + i] * scales[c]) ** 2;
        naive += peak > 0 ? (slice[i] - Math.round((slice[i] * 127) / peak) * (peak / 127)) ** 2 : 0;
      }
      // The scales are stored as float32: equal up to its rounding.
      expect(error).toBeLessThanOrEqual(naive * (1 + 1e-5) + 1e-12);
      expect(scales[c]).toBeLessThanOrEqual(peak > 0 ? peak / 127 + 1e-9 : 1);
    }
    expect(scales[1]).toBeLessThan(scales[0] / 50);
    expect([...values.subarray(81)].every((v) => v === 0)).toBe(true);
  });

  it('a bias is int32 at input scale x weight scale', () => {
    const { values, scales } = quantizeBias(new Float32Array([0.5, -0.25]), 0.01, new Float32Array([0.1, 0.2]));
    expect([...scales].map((s) => Number(s.toFixed(6)))).toEqual([0.001, 0.002]);
    expect([...values]).toEqual([500, -125]);
  });
});

describe('calibration helpers', () => {
  it('kthSmallest agrees with sorting', () => {
    const values = noise(1001, 3);
    const sorted = [...values].sort((a, b) => a - b);
    for (const k of [0, 1, 500, 999, 1000]) expect(kthSmallest(values, k)).toBe(sorted[k]);
  });

  it('grid crops are the same every time and reach the corners', () => {
    const picture = randomImage(3, 100, 140, 5);
    const crops = gridCrops(picture, 32, 4);
    expect(crops.map((c) => [c.height, c.width])).toEqual([[32, 32], [32, 32], [32, 32], [32, 32]]);
    expect(crops[0].data[0]).toBe(picture.data[0]); // top-left corner
    const last = crops[3];
    expect(last.data[last.data.length - 1]).toBe(picture.data[picture.data.length - 1]); // bottom-right corner
    expect(gridCrops(picture, 32, 4).map((c) => c.data)).toEqual(crops.map((c) => c.data));
  });
});
