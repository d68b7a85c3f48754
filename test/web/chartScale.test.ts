import { describe, expect, it } from 'vitest';
import { formatNumber, formatSteps, linearScale, logScale } from '../../web/src/chartScale.js';

describe('chart scales', () => {
  it('widens a linear axis to round ticks around the data', () => {
    const scale = linearScale(29.28, 29.35);
    expect(scale.ticks).toEqual([29.28, 29.3, 29.32, 29.34, 29.36]);
    expect([scale.min, scale.max]).toEqual([29.28, 29.36]);
    expect(scale.fraction(29.32)).toBeCloseTo(0.5);
  });

  it('gives a single value room on both sides', () => {
    const scale = linearScale(50, 50);
    expect(scale.min).toBeLessThan(50);
    expect(scale.max).toBeGreaterThan(50);
  });

  it('puts log ticks at 1, 2 and 5 times powers of ten over a few decades, and only at powers of ten over many', () => {
    expect(logScale(0.03, 7).ticks).toEqual([0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10]);
    expect(logScale(0.0002, 30).ticks).toEqual([0.0001, 0.001, 0.01, 0.1, 1, 10, 100]);
    const scale = logScale(0.01, 1);
    expect(scale.fraction(0.1)).toBeCloseTo(0.5);
  });

  it('refuses a log axis for data that is not positive', () => {
    expect(() => logScale(-0.6, 2.5)).toThrow(/positive/);
  });

  it('labels numbers with at most four significant digits', () => {
    expect([formatNumber(0.0937851), formatNumber(29.28433), formatNumber(0.0001), formatNumber(250000), formatNumber(0)]).toEqual(['0.09379', '29.28', '1e-4', '2.5e5', '0']);
    expect([formatSteps(3000), formatSteps(25000)]).toEqual(['3000', '25K']);
  });
});
