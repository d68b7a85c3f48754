import { describe, expect, it } from 'vitest';
import type { Raster } from '../../src/image/raster.js';
import { StaticAreaReuse } from '../../src/video/staticAreaReuse.js';

const W = 12;
const H = 10;

/** A stand-in model: nearest x2, plus noise that differs on every call (what makes a real model's output shimmer). */
function noisyModel(frame: Uint8Array, call: number): Raster {
  const data = new Uint8Array(W * 2 * H * 2 * 3);
  for (let y = 0; y < H * 2; y++) {
    for (let x = 0; x < W * 2; x++) {
      for (let c = 0; c < 3; c++) data[(y * W * 2 + x) * 3 + c] = Math.min(255, frame[((y >> 1) * W + (x >> 1)) * 3 + c] + ((x * 7 + y * 3 + call * 5 + c) % 4));
    }
  }
  return { width: W * 2, height: H * 2, channels: 3, bitDepth: 8, data };
}

function flatFrame(level: number): Uint8Array {
  return new Uint8Array(W * H * 3).fill(level);
}

/** Output pixels of input pixel (x, y), as a list of RGB triples. */
function outputOf(raster: Raster, x: number, y: number): number[] {
  const values: number[] = [];
  for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
    const o = ((y * 2 + dy) * raster.width + x * 2 + dx) * 3;
    values.push(raster.data[o], raster.data[o + 1], raster.data[o + 2]);
  }
  return values;
}

function run(reuse: StaticAreaReuse, frame: Uint8Array, call: number): Raster {
  return reuse.finish(frame, reuse.begin(frame) ? noisyModel(frame, call) : undefined);
}

describe('StaticAreaReuse', () => {
  it('keeps the previous output where the input stayed, and takes the model where it moved (with the context radius)', () => {
    const reuse = new StaticAreaReuse({ width: W, height: H }, { width: W * 2, height: H * 2 }, 8, { threshold: 8, radius: 1, spikeFactor: 4 });
    const first = run(reuse, flatFrame(100), 0);
    expect(first.data).toEqual(noisyModel(flatFrame(100), 0).data);
    // Codec-like noise: +-3 levels alternating pixel to pixel, under the 3x3 mean threshold and the spike.
    const noisy = flatFrame(100).map((v, i) => v + ((Math.floor(i / 3) % 2) * 2 - 1) * 3);
    // A real change: a 2x2 block turns bright.
    for (const [x, y] of [[8, 5], [9, 5], [8, 6], [9, 6]]) noisy.fill(220, (y * W + x) * 3, (y * W + x) * 3 + 3);
    const second = run(reuse, noisy, 1);
    const model = noisyModel(noisy, 1);
    expect(outputOf(second, 2, 2)).toEqual(outputOf(first, 2, 2)); // far from the change: unchanged output
    expect(outputOf(second, 8, 5)).toEqual(outputOf(model, 8, 5)); // the change itself: the model's
    expect(outputOf(second, 7, 5)).toEqual(outputOf(model, 7, 5)); // within the radius: the model's
    expect(outputOf(second, 5, 5)).toEqual(outputOf(first, 5, 5)); // two pixels beyond it: kept
  });

  it('skips the model on an unchanged frame, and refreshes a slow fade once it adds up', () => {
    const reuse = new StaticAreaReuse({ width: W, height: H }, { width: W * 2, height: H * 2 }, 8, { threshold: 8, radius: 1, spikeFactor: 4 });
    const first = run(reuse, flatFrame(50), 0);
    expect(reuse.begin(flatFrame(50))).toBe(false);
    expect(reuse.finish(flatFrame(50), undefined).data).toEqual(first.data);
    expect(reuse.skippedFrames).toBe(1);
    // 3 levels a frame: frame to frame it never passes 8, but from the reference it does on the third step.
    let last = first;
    for (let step = 1; step <= 3; step++) {
      last = run(reuse, flatFrame(50 + 3 * step), step);
      if (step < 3) expect(last.data).toEqual(first.data);
    }
    expect(last.data).toEqual(noisyModel(flatFrame(59), 3).data);
  });

  it('forgets everything on reset (segments are made alone)', () => {
    const reuse = new StaticAreaReuse({ width: W, height: H }, { width: W * 2, height: H * 2 }, 8);
    run(reuse, flatFrame(10), 0);
    reuse.reset();
    expect(reuse.begin(flatFrame(10))).toBe(true);
    expect(reuse.finish(flatFrame(10), noisyModel(flatFrame(10), 9)).data).toEqual(noisyModel(flatFrame(10), 9).data);
  });
});
