import { describe, expect, it } from 'vitest';
import { blendWeight, planAxis } from '../../src/upscale/tilePlan.js';

describe('planAxis', () => {
  const cases = [
    { length: 100, tile: 32, pad: 8, overlap: 8, scale: 4 },
    { length: 97, tile: 30, pad: 0, overlap: 5, scale: 2 },
    { length: 33, tile: 32, pad: 10, overlap: 16, scale: 3 },
    { length: 200, tile: 64, pad: 12, overlap: 0, scale: 4 },
    { length: 70, tile: 24, pad: 3, overlap: 20, scale: 1 },
    { length: 20, tile: 64, pad: 8, overlap: 8, scale: 4 },
  ];

  for (const c of cases) {
    it(`blend weights sum to 1 at every output pixel (${JSON.stringify(c)})`, () => {
      const spans = planAxis(c.length, c);
      for (let x = 0; x < c.length * c.scale; x++) {
        const sum = spans.reduce((s, span) => s + blendWeight(span, x), 0);
        expect(sum).toBeCloseTo(1, 6);
      }
    });

    it(`tiles are all the same size and read only inside the picture (${JSON.stringify(c)})`, () => {
      const spans = planAxis(c.length, c);
      const size = c.tile + 2 * c.pad >= c.length ? c.length : c.tile;
      for (const span of spans) {
        expect(span.end - span.start).toBe(size);
        expect(span.inputEnd - span.inputStart).toBe(Math.min(c.length, size + 2 * c.pad));
        expect(span.inputStart).toBeGreaterThanOrEqual(0);
        expect(span.inputEnd).toBeLessThanOrEqual(c.length);
        expect(span.inputStart).toBeLessThanOrEqual(span.start);
        expect(span.inputEnd).toBeGreaterThanOrEqual(span.end);
        // A tile contributes only where it computed pixels.
        expect(span.outputStart).toBeGreaterThanOrEqual(span.start * c.scale);
        expect(span.outputEnd).toBeLessThanOrEqual(span.end * c.scale);
      }
    });
  }

  it('one tile when the picture is no larger than a tile with its context', () => {
    expect(planAxis(50, { tile: 64, pad: 8, overlap: 8, scale: 2 })).toHaveLength(1);
    expect(planAxis(50, { tile: 40, pad: 5, overlap: 8, scale: 2 })).toHaveLength(1);
    expect(planAxis(50, { tile: 40, pad: 4, overlap: 8, scale: 2 })).toHaveLength(2);
  });

  it('blend zones are as wide as the overlap asks (in output pixels)', () => {
    const spans = planAxis(100, { tile: 40, pad: 0, overlap: 6, scale: 2 });
    const [from, to] = spans[1].blendBefore;
    expect(to - from).toBe(12);
  });
});

describe('tiles aligned to a window grid (window-attention networks)', () => {
  for (const [length, tile, pad, align] of [[54, 16, 10, 4], [301, 64, 20, 8], [97, 30, 0, 7], [40, 16, 10, 4]]) {
    it(`${length} px in ${tile} px tiles with ${pad} px context, aligned to ${align}`, () => {
      const spans = planAxis(length, { tile, pad, overlap: 8, scale: 2, align });
      const sizes = new Set<number>();
      for (const [j, s] of spans.entries()) {
        expect(s.inputStart % align, `tile ${j} starts on the grid`).toBe(0);
        // Every tile keeps its context (or the picture's edge) on both sides.
        expect(s.inputStart).toBeLessThanOrEqual(Math.max(0, s.start - pad));
        expect(s.inputEnd).toBeGreaterThanOrEqual(Math.min(length, s.end + pad));
        sizes.add(s.inputEnd - s.inputStart);
      }
      expect(spans.at(-1)!.inputEnd).toBe(length);
      // One size, and at most one shorter one against the far edge: at most two graphs per axis.
      expect(sizes.size).toBeLessThanOrEqual(2);
      expect(spans[0].outputStart).toBe(0);
      expect(spans.at(-1)!.outputEnd).toBe(2 * length);
    });
  }
});
