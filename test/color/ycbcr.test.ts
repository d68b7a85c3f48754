import { describe, expect, it } from 'vitest';
import { lumaUint8, rgbToYCbCr, yCbCrToRgb } from '../../src/color/ycbcr.js';
import { createImageTensor } from '../../src/image/tensor.js';
import { maxAbsDifference, randomImage } from '../helpers.js';

describe('BT.601 studio-range YCbCr (MATLAB rgb2ycbcr)', () => {
  it('maps black to (16, 128, 128) and white to (235, 128, 128)', () => {
    const image = createImageTensor(3, 1, 2, Float32Array.from([0, 1, 0, 1, 0, 1]));
    const ycc = rgbToYCbCr(image);
    expect(Array.from(ycc.data, (v) => Math.round(v * 255 * 1000) / 1000)).toEqual([16, 235, 128, 128, 128, 128]);
  });

  it('gives Y = 16 + 65.481 R + 128.553 G + 24.966 B for primaries', () => {
    const image = createImageTensor(3, 1, 3, Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]));
    const y = Array.from(rgbToYCbCr(image).data.subarray(0, 3), (v) => v * 255);
    expect(y[0]).toBeCloseTo(81.481, 3);
    expect(y[1]).toBeCloseTo(144.553, 3);
    expect(y[2]).toBeCloseTo(40.966, 3);
  });

  it('round-trips RGB through YCbCr, alpha untouched', () => {
    const image = randomImage(4, 7, 9, 4, true);
    const back = yCbCrToRgb(rgbToYCbCr(image));
    expect(maxAbsDifference(back.data, image.data)).toBeLessThan(1e-5);
  });

  it('rounds Y of uint8 input to an integer, as MATLAB does for uint8 images', () => {
    expect(lumaUint8(255, 255, 255)).toBe(235);
    expect(lumaUint8(0, 0, 0)).toBe(16);
    expect(lumaUint8(255, 0, 0)).toBe(81); // 81.481
    expect(lumaUint8(10, 200, 30)).toBe(Math.round(16 + (65.481 * 10 + 128.553 * 200 + 24.966 * 30) / 255));
  });

  it('refuses a gray image', () => {
    expect(() => rgbToYCbCr(randomImage(1, 2, 2))).toThrow(/RGB/);
  });
});
