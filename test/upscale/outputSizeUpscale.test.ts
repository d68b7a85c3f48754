import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildNetwork, type ModelSpec } from '../../src/architectures/registry.js';
import { Graph } from '../../src/graph/graph.js';
import { quantizeImage, type ImageTensor } from '../../src/image/tensor.js';
import { writeImage } from '../../src/image/writeImage.js';
import { saveModel } from '../../src/models/modelFile.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { resizeImage } from '../../src/resize/resizeImage.js';
import { loadModelRunner } from '../../src/upscale/loadModelRunner.js';
import { upscale } from '../../src/upscale/upscale.js';
import { maxAbsDifference, randomImage, runCli, temporaryDirectory } from '../helpers.js';

/** A small random srvgg-compact model file of a scale. */
async function tinyModel(dir: string, scale: number): Promise<string> {
  const spec: ModelSpec = { arch: 'srvgg-compact', scale, options: { features: 6, convs: 1 } };
  const state: StateDict = new Map();
  const graph = new Graph();
  buildNetwork(spec, BuildContext.create(graph, state, { training: false, seed: scale }), graph.input('x', 'float32', [1, 3, 4, 4]));
  const path = join(dir, `tiny-x${scale}.safetensors`);
  await saveModel(path, spec, state);
  return path;
}

const dims = (t: ImageTensor) => [t.width, t.height];

describe('upscale to the size asked for', async () => {
  const dir = await temporaryDirectory();
  const [x2, x4] = [await tinyModel(dir, 2), await tinyModel(dir, 4)];
  const picture = randomImage(3, 13, 17, 3, true);

  it('--scale 8 with an x2 model: three passes of it, exactly 8x', async () => {
    const out = await upscale(picture, { model: x2, scale: 8 }).tensor();
    expect(dims(out)).toEqual([136, 104]);
    // The same as running the model three times by hand (no resize: 2^3 is 8).
    const runner = await loadModelRunner(x2);
    let byHand = picture;
    for (let i = 0; i < 3; i++) byHand = await runner.upscale(byHand);
    expect(maxAbsDifference(out.data, quantizeImage(byHand, 8).data)).toBeLessThanOrEqual(1e-6);
  });

  it('x16 with an x4 model is two passes; x4 with an x2 model two passes', async () => {
    expect(dims(await upscale(picture, { model: x4, scale: 16 }).tensor())).toEqual([272, 208]);
    expect(dims(await upscale(picture, { model: x2, scale: 4 }).tensor())).toEqual([68, 52]);
  });

  it('--scale 3 with an x4 model: the model once, then a MATLAB bicubic shrink to exactly 3x', async () => {
    const out = await upscale(picture, { model: x4, scale: 3 }).tensor();
    expect(dims(out)).toEqual([51, 39]);
    const modelOutput = await (await loadModelRunner(x4)).upscale(picture);
    const shrunk = resizeImage(modelOutput, { width: 51, height: 39, method: 'bicubic', quantize: 8 });
    expect(maxAbsDifference(out.data, shrunk.data)).toBeLessThanOrEqual(1e-6);
  });

  it('--scale 1.5 with an x2 model and with a classical method', async () => {
    expect(dims(await upscale(picture, { model: x2, scale: 1.5 }).tensor())).toEqual([26, 20]);
    const lanczos = await upscale(picture, { method: 'lanczos', scale: 1.5 }).tensor();
    expect(dims(lanczos)).toEqual([26, 20]);
    expect(maxAbsDifference(lanczos.data, resizeImage(picture, { width: 26, height: 20, method: 'lanczos', quantize: 8 }).data)).toBeLessThanOrEqual(1e-6);
  });

  it('--width alone and --height alone: that side exact, the aspect kept', async () => {
    expect(dims(await upscale(picture, { model: x2, width: 60 }).tensor())).toEqual([60, 46]);
    expect(dims(await upscale(picture, { model: x4, height: 100 }).tensor())).toEqual([131, 100]);
    expect(dims(await upscale(picture, { method: 'bicubic', width: 34 }).tensor())).toEqual([34, 26]);
  });

  it('--width and --height: inside the box by default, exactly the box with fit cover', async () => {
    expect(dims(await upscale(picture, { model: x4, width: 60, height: 60 }).tensor())).toEqual([60, 46]);
    expect(dims(await upscale(picture, { model: x4, width: 60, height: 60, fit: 'inside' }).tensor())).toEqual([60, 46]);
    const cover = await upscale(picture, { model: x4, width: 60, height: 60, fit: 'cover' }).tensor();
    expect(dims(cover)).toEqual([60, 60]);
    // Covering 60x60 from 17x13 is 78x60, cropped by 9 columns on the left.
    const inside78 = await upscale(picture, { model: x4, width: 78, height: 60 }).tensor();
    expect(dims(inside78)).toEqual([78, 60]);
    const cropped = new Float32Array(3 * 60 * 60);
    for (let c = 0; c < 3; c++) for (let y = 0; y < 60; y++) cropped.set(inside78.data.subarray((c * 60 + y) * 78 + 9, (c * 60 + y) * 78 + 69), (c * 60 + y) * 60);
    expect(maxAbsDifference(cover.data, cropped)).toBeLessThanOrEqual(1e-6);
  });

  it('the default model for --scale 3 is the shipped x4 one, run once and shrunk', async () => {
    const out = await upscale(picture, { scale: 3 }).tensor();
    expect(dims(out)).toEqual([51, 39]);
    const shipped = await (await loadModelRunner('default', { scale: 4 })).upscale(picture);
    expect(maxAbsDifference(out.data, resizeImage(shipped, { width: 51, height: 39, method: 'bicubic', quantize: 8 }).data)).toBeLessThanOrEqual(1e-6);
  });

  it('refuses a scale with a width, or a scale out of range, in one line naming the option', () => {
    expect(() => upscale(picture, { scale: 2, width: 100 })).toThrow("give either 'scale' or 'width'/'height', not both");
    expect(() => upscale(picture, { scale: 0.5 })).toThrow(/option 'scale': must be a number from 1 to 16/);
    expect(() => upscale(picture, { scale: 17 })).toThrow(/option 'scale'/);
    expect(() => upscale(picture, { width: 0 })).toThrow(/option 'width'/);
    expect(() => upscale(picture, { width: 10, fit: 'fill' as 'cover' })).toThrow(/option 'fit': must be one of inside, cover/);
  });

  it('refuses from the header a size past the output limit', async () => {
    await expect(upscale(picture, { model: x4, width: 40000, height: 40000 }).toBuffer()).rejects.toThrow(/would become .* more than enhance makes/);
  });

  it('the CLI names outputs by the size asked, and writes exactly that size', async () => {
    const input = join(dir, 'in.png');
    await writeImage(input, picture);
    const width = await runCli(['upscale', input, '--model', x2, '--width', '50']);
    expect(width.stderr).toBe('');
    expect(await sharp(join(dir, 'in_w50.png')).metadata()).toMatchObject({ width: 50, height: 38 });
    const box = await runCli(['upscale', input, '--model', x4, '--width', '40', '--height', '44', '--fit', 'cover']);
    expect(box.code).toBe(0);
    expect(await sharp(join(dir, 'in_40x44.png')).metadata()).toMatchObject({ width: 40, height: 44 });
    const scale = await runCli(['upscale', input, '--model', x4, '--scale', '3', '-o', join(dir, 'three.png')]);
    expect(scale.code).toBe(0);
    expect(await sharp(join(dir, 'three.png')).metadata()).toMatchObject({ width: 51, height: 39 });
    const both = await runCli(['upscale', input, '--scale', '2', '--width', '30']);
    expect(both.code).not.toBe(0);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
  });
});
