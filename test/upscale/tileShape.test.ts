import { describe, expect, it } from 'vitest';
import { Random } from '../../src/nn/random.js';
import { PLANNED_SHARE, tileBytes, tileShapeFor, type TileShapeInputs } from '../../src/upscale/tileShape.js';

const MB = 2 ** 20;
// Tiles are planned into this much of a budget of `mb` MB (the rest is the estimate's headroom).
const planned = (mb: number) => PLANNED_SHARE * mb * MB;
// RRDBNet x4's working memory per input pixel and a 4x strip of float RGB.
const rrdb = (width: number, height: number, budgetMB: number): TileShapeInputs => ({ width, height, bytesPerPixel: 23936, budgetBytes: budgetMB * MB, pad: 32, stripBytesPerRow: width * 16 * 12 });

describe('tileShapeFor', () => {
  it('runs the whole picture at once when it fits', () => {
    expect(tileShapeFor(rrdb(256, 256, 4096))).toEqual({ width: 256, height: 256 });
    // 256 x 256 x 23936 B and the strip are 1508 MB: in 2048 MB (1536 planned), not in 1536 (1152 planned).
    expect(tileShapeFor(rrdb(256, 256, 2048))).toEqual({ width: 256, height: 256 });
    expect(tileShapeFor(rrdb(256, 256, 1536))).not.toEqual({ width: 256, height: 256 });
    expect(tileShapeFor(rrdb(256, 256, 768))).not.toEqual({ width: 256, height: 256 });
  });

  it('cuts strips across the whole picture when they read fewer pixels than squares', () => {
    const inputs = rrdb(256, 256, 768);
    const shape = tileShapeFor(inputs);
    // 8 strips of 32 (96 read with context) rather than 16 squares of 80 (144 read).
    expect([shape.width, shape.height].sort((a, b) => a - b)).toEqual([32, 256]);
    expect(tileBytes(shape, inputs)).toBeLessThanOrEqual(planned(768));
    // 16 more would not fit: the strip is as wide as the budget allows, to a multiple of 16.
    expect(tileBytes({ width: shape.width + 16, height: shape.height }, inputs)).toBeGreaterThan(planned(768));
  });

  it('reads no more pixels than any other tile shape that fits (brute force over multiples of 16)', () => {
    for (const inputs of [rrdb(4000, 3000, 768), rrdb(700, 2000, 512), rrdb(1500, 300, 1024)]) {
      const shape = tileShapeFor(inputs);
      expect(tileBytes(shape, inputs)).toBeLessThanOrEqual(PLANNED_SHARE * inputs.budgetBytes);
      expect(shape.width).toBeLessThan(inputs.width);
      const read = (w: number, h: number) => Math.ceil(inputs.width / w) * Math.ceil(inputs.height / h) * Math.min(inputs.width, w + 64) * Math.min(inputs.height, h + 64);
      for (let w = 32; w < inputs.width; w += 16) {
        for (let h = 32; h < inputs.height; h += 16) {
          if (tileBytes({ width: w, height: h }, inputs) <= PLANNED_SHARE * inputs.budgetBytes) expect(read(shape.width, shape.height)).toBeLessThanOrEqual(read(w, h));
        }
      }
    }
  });

  it('never plans more than the budget, whatever the picture, model and budget (above the 32-pixel floor)', () => {
    const random = new Random(3);
    for (let i = 0; i < 500; i++) {
      const width = 1 + Math.floor(random.next() * 5000);
      const height = 1 + Math.floor(random.next() * 5000);
      const inputs: TileShapeInputs = {
        width,
        height,
        bytesPerPixel: 500 + random.next() * 40000,
        budgetBytes: (64 + random.next() * 8000) * MB,
        pad: Math.floor(random.next() * 40),
        stripBytesPerRow: width * 4 * 4 * 3 * (1 + random.next() * 3),
      };
      const shape = tileShapeFor(inputs);
      expect(shape.width).toBeGreaterThanOrEqual(1);
      expect(shape.width).toBeLessThanOrEqual(width);
      expect(shape.height).toBeLessThanOrEqual(height);
      const atFloor = shape.width <= 32 || shape.height <= 32;
      if (!atFloor) expect(tileBytes(shape, inputs)).toBeLessThanOrEqual(inputs.budgetBytes);
    }
  });
});
