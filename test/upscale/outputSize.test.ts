import { describe, expect, it } from 'vitest';
import { bestModelScale, modelPasses, outputSize } from '../../src/upscale/outputSize.js';

const photo = { width: 640, height: 480 };

describe('the output size a request asks for', () => {
  it('a factor multiplies both sides, rounded (any factor, not only a model scale)', () => {
    expect(outputSize(photo, { scale: 3 }, 4)).toMatchObject({ width: 1920, height: 1440 });
    expect(outputSize({ width: 101, height: 33 }, { scale: 1.5 }, 4)).toMatchObject({ width: 152, height: 50 });
    expect(outputSize(photo, {}, 4)).toMatchObject({ width: 2560, height: 1920 });
  });

  it('a width or a height alone keeps the aspect, the given side exact', () => {
    expect(outputSize(photo, { width: 1920 }, 4)).toMatchObject({ width: 1920, height: 1440 });
    expect(outputSize(photo, { height: 1000 }, 4)).toMatchObject({ width: 1333, height: 1000 });
    expect(outputSize({ width: 333, height: 77 }, { width: 1000 }, 4)).toMatchObject({ width: 1000, height: 231 });
  });

  it('inside a box: the tighter side is exact, the other within the box', () => {
    expect(outputSize(photo, { width: 1920, height: 1080 }, 4)).toMatchObject({ width: 1440, height: 1080 });
    expect(outputSize(photo, { width: 1000, height: 1080 }, 4)).toMatchObject({ width: 1000, height: 750 });
    expect(outputSize(photo, { width: 1920, height: 1080, fit: 'inside' }, 4).crop).toBeUndefined();
  });

  it('covering a box: resized to cover it, then cropped to exactly the box, centred', () => {
    const cover = outputSize(photo, { width: 1920, height: 1080, fit: 'cover' }, 4);
    expect(cover).toMatchObject({ width: 1920, height: 1080, resized: { width: 1920, height: 1440 }, crop: { left: 0, top: 180 } });
    const tall = outputSize(photo, { width: 500, height: 1000, fit: 'cover' }, 4);
    expect(tall).toMatchObject({ width: 500, height: 1000, resized: { width: 1333, height: 1000 }, crop: { left: 416, top: 0 } });
  });

  it('model passes: the fewest that reach the factor', () => {
    expect(modelPasses(4, 4)).toBe(1);
    expect(modelPasses(3, 4)).toBe(1);
    expect(modelPasses(8, 2)).toBe(3);
    expect(modelPasses(16, 4)).toBe(2);
    expect(modelPasses(8, 4)).toBe(2);
    expect(modelPasses(4.0000000001, 2)).toBe(2);
    expect(modelPasses(0.5, 4)).toBe(1);
    expect(modelPasses(4, 1)).toBe(1); // an x1 model runs once; resizing does the rest
  });

  it('the shipped model for a factor: the scale itself, else the fewest passes, then the least overshoot', () => {
    expect(bestModelScale(2, [2, 4])).toBe(2);
    expect(bestModelScale(4, [2, 4])).toBe(4);
    expect(bestModelScale(3, [2, 4])).toBe(4);
    expect(bestModelScale(1.5, [2, 4])).toBe(2);
    expect(bestModelScale(16, [2, 4])).toBe(4);
    expect(bestModelScale(3, [])).toBeUndefined();
  });
});
