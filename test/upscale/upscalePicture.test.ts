import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rasterFromTensor, tensorFromRaster } from '../../src/image/raster.js';
import { readImage } from '../../src/image/readImage.js';
import { channelPlane, createImageTensor, cropImage, selectChannels } from '../../src/image/tensor.js';
import { interpolate } from '../../src/upscale/interpolate.js';
import { loadModelRunner } from '../../src/upscale/loadModelRunner.js';
import { upscaleToRaster, upscaleToTensor } from '../../src/upscale/upscalePicture.js';
import { datasetsDir, maxAbsDifference, randomImage } from '../helpers.js';
import { nearestRunner } from './fakeRunners.js';

describe('upscaleToRaster / upscaleToTensor with the default x4 model', async () => {
  const runner = await loadModelRunner('default', { scale: 4 });
  afterAll(() => runner.release());
  const { image: baboon } = await readImage(join(datasetsDir, 'Set14/hr/baboon.png'));
  const crop = cropImage(baboon, 100, 120, 256, 256);

  it('a tiled 256x256 result equals the untiled one within 1/255 (default tile context)', async () => {
    const whole = await upscaleToRaster(crop, runner, 8, { tile: 256 });
    const tiled = await upscaleToRaster(crop, runner, 8, { tile: 64 });
    expect(whole.width).toBe(1024);
    let max = 0;
    for (let i = 0; i < whole.data.length; i++) max = Math.max(max, Math.abs(whole.data[i] - tiled.data[i]));
    expect(max).toBeLessThanOrEqual(1);
  });

  it('tiles with too little context leave seams the default context removes', async () => {
    const whole = await upscaleToTensor(crop, runner, { tile: 256 });
    const bare = await upscaleToTensor(crop, runner, { tile: 64, tilePad: 0, overlap: 0 });
    expect(maxAbsDifference(bare.data, whole.data)).toBeGreaterThan(2 / 255);
  });

  it('upscales gray as gray: the mean of the model run on the gray value in R, G and B', async () => {
    const gray = selectChannels(cropImage(baboon, 0, 0, 32, 40), [1]);
    const out = await upscaleToTensor(gray, runner);
    expect([out.channels, out.height, out.width]).toEqual([1, 128, 160]);
    const asRgb = await upscaleToTensor(selectChannels(gray, [0, 0, 0]), runner);
    const mean = channelPlane(asRgb, 0).map((r, i) => (r + channelPlane(asRgb, 1)[i] + channelPlane(asRgb, 2)[i]) / 3);
    expect(maxAbsDifference(out.data, mean)).toBeLessThan(1e-5);
  });
});

describe('alpha', () => {
  it('an opaque alpha channel is restored as opaque without running the model on it', async () => {
    const runner = nearestRunner(2);
    const image = randomImage(4, 12, 10, 3);
    image.data.fill(1, 3 * 120);
    const out = await upscaleToRaster(image, runner, 8);
    expect(runner.calls).toBe(1);
    expect(out.channels).toBe(4);
    for (let i = 3; i < out.data.length; i += 4) expect(out.data[i]).toBe(255);
  });

  it('a real alpha channel goes through the model by default, or bicubic on request', async () => {
    const image = randomImage(4, 12, 10, 3);
    const byModel = await upscaleToTensor(image, nearestRunner(2));
    expect(maxAbsDifference(channelPlane(byModel, 3), channelPlane(interpolate(selectChannels(image, [3]), 2, 'nearest'), 0))).toBeLessThan(1e-6);
    const byBicubic = await upscaleToTensor(image, nearestRunner(2), { alpha: 'bicubic' });
    expect(maxAbsDifference(channelPlane(byBicubic, 3), interpolate(selectChannels(image, [3]), 2, 'bicubic').data)).toBeLessThan(1e-6);
  });

  it('16-bit rasters keep 16-bit precision', async () => {
    const image = randomImage(3, 5, 5, 9, true);
    const raster = await upscaleToRaster(image, nearestRunner(2), 16);
    expect(raster.data).toBeInstanceOf(Uint16Array);
    const expected = createImageTensor(3, 10, 10, await nearestRunner(2).run(image.data, 5, 5));
    expect(maxAbsDifference(tensorFromRaster(raster).data, tensorFromRaster(rasterFromTensor(expected, 16)).data)).toBe(0);
    expect(maxAbsDifference(tensorFromRaster(raster).data, expected.data)).toBeGreaterThan(0); // rounded, to 1/65535
    expect(maxAbsDifference(tensorFromRaster(raster).data, expected.data)).toBeLessThanOrEqual(0.5 / 65535 + 1e-7);
  });
});
