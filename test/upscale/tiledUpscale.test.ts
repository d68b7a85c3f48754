import { describe, expect, it } from 'vitest';
import { createImageTensor, tensorSink } from '../../src/image/tensor.js';
import { tiledUpscale } from '../../src/upscale/tiledUpscale.js';
import type { TileShape } from '../../src/upscale/tileShape.js';
import { maxAbsDifference, randomImage } from '../helpers.js';
import { blurRunner, nearestRunner } from './fakeRunners.js';

async function run(runner: ReturnType<typeof blurRunner>, image = randomImage(3, 45, 61, 4), options: { tile: number | TileShape; pad: number; overlap: number; signal?: AbortSignal }) {
  const out = createImageTensor(3, image.height * runner.scale, image.width * runner.scale);
  const tile = typeof options.tile === 'number' ? { width: options.tile, height: options.tile } : options.tile;
  await tiledUpscale(image, runner, tensorSink(out), { ...options, tile, channel: 0 });
  return out;
}

describe('tiledUpscale', () => {
  it('equals the whole-picture result when each tile has enough context', async () => {
    const image = randomImage(3, 45, 61, 4);
    const whole = await run(blurRunner(2), image, { tile: 1000, pad: 0, overlap: 0 });
    const shapes: [number | TileShape, number][] = [[16, 0], [16, 4], [20, 8], [32, 3], [{ width: 61, height: 16 }, 4], [{ width: 24, height: 45 }, 2]];
    for (const [tile, overlap] of shapes) {
      const tiled = await run(blurRunner(2), image, { tile, pad: 1, overlap });
      expect(maxAbsDifference(tiled.data, whole.data)).toBeLessThan(1e-6);
    }
  });

  it('differs at seams without context, and the blend softens the difference', async () => {
    const image = randomImage(3, 45, 61, 4);
    const whole = await run(blurRunner(2), image, { tile: 1000, pad: 0, overlap: 0 });
    const hard = maxAbsDifference((await run(blurRunner(2), image, { tile: 16, pad: 0, overlap: 0 })).data, whole.data);
    const blended = maxAbsDifference((await run(blurRunner(2), image, { tile: 16, pad: 0, overlap: 6 })).data, whole.data);
    expect(hard).toBeGreaterThan(0.01);
    expect(blended).toBeLessThan(hard);
  });

  it('runs one model call per tile, all of the same size', async () => {
    const runner = nearestRunner(4);
    const image = randomImage(3, 40, 100, 5);
    const sizes = new Set<string>();
    const original = runner.run.bind(runner);
    runner.run = (rgb, h, w) => (sizes.add(`${h}x${w}`), original(rgb, h, w));
    await run(runner, image, { tile: 32, pad: 4, overlap: 4 });
    // Rows: a 32-pixel tile with 4 pixels of context on each side spans all 40 rows, so one row of tiles.
    expect(runner.calls).toBe(4);
    expect([...sizes]).toEqual(['40x40']);
  });

  it('stops before the next tile once the signal is aborted', async () => {
    const controller = new AbortController();
    const runner = nearestRunner(2);
    const original = runner.run.bind(runner);
    runner.run = async (rgb, h, w) => {
      if (runner.calls === 2) controller.abort();
      return original(rgb, h, w);
    };
    await expect(run(runner, randomImage(3, 64, 64, 1), { tile: 16, pad: 0, overlap: 0, signal: controller.signal })).rejects.toThrow('cancelled');
    expect(runner.calls).toBe(3);
  });
});
