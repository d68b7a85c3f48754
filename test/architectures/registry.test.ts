import { describe, expect, it } from 'vitest';
import { ARCHITECTURE_NAMES, ARCHITECTURES, architectureNamed, traitsOf, WEIGHT_LAYOUTS } from '../../src/architectures/registry.js';

describe('the architecture registry', () => {
  it('names each architecture once, and finds only those names', () => {
    expect(new Set(ARCHITECTURE_NAMES).size).toBe(ARCHITECTURES.length);
    for (const name of ARCHITECTURE_NAMES) expect(architectureNamed(name)?.name).toBe(name);
    for (const name of ['__proto__', 'constructor', 'toString', 'RRDBNet', '']) expect(architectureNamed(name)).toBeUndefined();
  });

  it('tries every layout of every architecture, each once, under a distinct name', () => {
    expect(WEIGHT_LAYOUTS.length).toBe(ARCHITECTURES.reduce((n, a) => n + a.layouts.length, 0));
    expect(new Set(WEIGHT_LAYOUTS.map((l) => l.name)).size).toBe(WEIGHT_LAYOUTS.length);
  });

  it('no layout signature is a subset of an earlier one (a later layout could never be reached)', () => {
    WEIGHT_LAYOUTS.forEach((later, j) => {
      for (const earlier of WEIGHT_LAYOUTS.slice(0, j)) expect(earlier.signature.every((key) => later.signature.includes(key)), `${earlier.name} shadows ${later.name}`).toBe(false);
    });
  });

  it('gives tiling traits for every architecture at its defaults and every scale it builds at, with the defaults filled in', () => {
    for (const arch of ARCHITECTURE_NAMES) {
      const architecture = architectureNamed(arch)!;
      const defaults = architecture.options.parse({});
      // Only the scales the network builds at (RRDBNet's default two x2 stages make no x3).
      for (const scale of [1, 2, 3, 4].filter((s) => architecture.trainingMisfit?.(defaults, s, 48)?.key !== 'scale')) {
        const traits = traitsOf({ arch, scale, options: {} });
        expect(traits.receptiveRadius, arch).toBeGreaterThan(0);
        expect(Number.isFinite(traits.bytesPerPixel) && traits.bytesPerPixel > 0, arch).toBe(true);
        expect(Number.isInteger(traits.sizeMultiple) && traits.sizeMultiple >= 1, arch).toBe(true);
        expect(traits.minimumSize, arch).toBeGreaterThanOrEqual(1);
      }
    }
    // Defaults come from the schema, not from the traits function: a spec spelling them out is the same.
    expect(traitsOf({ arch: 'rrdbnet', scale: 4, options: {} }).receptiveRadius).toBe(traitsOf({ arch: 'rrdbnet', scale: 4, options: { blocks: 23 } }).receptiveRadius);
    expect(traitsOf({ arch: 'rrdbnet', scale: 4, options: { blocks: 2 } }).receptiveRadius).toBeLessThan(traitsOf({ arch: 'rrdbnet', scale: 4, options: {} }).receptiveRadius);
  });
});
