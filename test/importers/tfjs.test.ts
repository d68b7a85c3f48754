import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTfjsModel, type TfjsImportOptions } from '../../src/importers/tfjs/importTfjsModel.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { maxAbsDifference, repoRoot, temporaryDirectory } from '../helpers.js';

// Made by test/fixtures/tfjs/make_tfjs_fixtures.cjs: TF.js layers models and TF.js's own outputs for them.
const fixtures = join(repoRoot, 'test/fixtures/tfjs');

async function readFloats(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Import a fixture model, run it on the fixture's input and return [our output, its shape, TF.js's output]. */
async function runFixture(name: string, height: number, width: number, options: TfjsImportOptions = {}) {
  const model = await importTfjsModel(join(fixtures, name, 'model.json'), options);
  const session = await createSession(model);
  const input = new ort.Tensor('float32', await readFloats(join(fixtures, name, 'input.bin')), [1, 3, height, width]);
  const { output } = await session.run({ input });
  await session.release();
  return { output: output.data as Float32Array, dims: output.dims, expected: await readFloats(join(fixtures, name, 'expected.bin')) };
}

describe('importTfjsModel against TF.js', () => {
  it('runs a functional model with every supported layer as TF.js does', async () => {
    // Conv2D (same/valid, stride 2, dilation 2, even kernel, no bias), LeakyReLU, PReLU, ReLU(max), Add,
    // Multiply, Concatenate, MultiplyBeta, 12 activations, UpSampling2D, PixelShuffle2x, 3 weight shards.
    const { output, dims, expected } = await runFixture('every-layer', 9, 11, { pixelRange: 1 });
    // 9x11 -> strided 'same' conv 5x6 -> upsampled 10x12 -> 'valid' conv 8x10 -> shuffled 16x20.
    expect(dims).toEqual([1, 3, 16, 20]);
    expect(maxAbsDifference(output, expected)).toBeLessThanOrEqual(1e-5);
  });

  it.each(['float32', 'uint8', 'uint16', 'float16'])('reads %s weights of a Keras-converter style Sequential model with PixelShuffle3x', async (storage) => {
    const { output, dims, expected } = await runFixture(`shuffle3-${storage}`, 5, 4, { pixelRange: 1 });
    expect(dims).toEqual([1, 3, 15, 12]);
    expect(maxAbsDifference(output, expected)).toBeLessThanOrEqual(1e-5);
  });

  it('computes with the dequantized uint8 weights, not the float32 values they were rounded from', async () => {
    const { output, expected } = await runFixture('shuffle3-uint8', 5, 4, { pixelRange: 1 });
    const unrounded = await readFloats(join(fixtures, 'shuffle3-float32', 'expected.bin'));
    expect(maxAbsDifference(output, expected)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDifference(output, unrounded)).toBeGreaterThan(1e-4);
  });
});

describe('the pixel range (UpscalerJS inputRange / outputRange)', () => {
  /** A copy of the overshoot fixture, optionally inside an npm package of the given name. */
  async function overshootIn(packageName: string | undefined): Promise<string> {
    const dir = await temporaryDirectory();
    const modelDir = join(dir, 'models', 'x1');
    await mkdir(modelDir, { recursive: true });
    for (const file of ['model.json', 'group1-shard1of1.bin']) await copyFile(join(fixtures, 'overshoot', file), join(modelDir, file));
    if (packageName) await writeFile(join(dir, 'package.json'), JSON.stringify({ name: packageName }));
    return join(modelDir, 'model.json');
  }

  async function runOvershoot(modelJson: string, options: TfjsImportOptions = {}): Promise<Float32Array> {
    const session = await createSession(await importTfjsModel(modelJson, options));
    const input = new ort.Tensor('float32', await readFloats(join(fixtures, 'overshoot', 'input.bin')), [1, 3, 4, 4]);
    const { output } = await session.run({ input });
    await session.release();
    return output.data as Float32Array;
  }

  const expected = (range: number) => readFloats(join(fixtures, 'overshoot', `expected-range${range}.bin`));

  it.each([1, 255] as const)('feeds the network pixels in [0, %i] and clips its prediction to that range, as UpscalerJS', async (range) => {
    const output = await runOvershoot(join(fixtures, 'overshoot', 'model.json'), { pixelRange: range });
    // The reference clips a fair share of values at both ends (see the fixture generator).
    expect(maxAbsDifference(output, await expected(range))).toBeLessThanOrEqual(1e-5);
    expect(output.filter((v) => v === 0).length).toBeGreaterThan(10);
    expect(output.filter((v) => v === 1).length).toBeGreaterThan(5);
  });

  it.each([
    ['@upscalerjs/esrgan-thick', 1],
    ['@upscalerjs/esrgan-slim', 255],
    ['@upscalerjs/esrgan-medium', 255],
    ['@upscalerjs/default-model', 255],
  ] as const)("takes the range of the package holding model.json: %s works in [0, %i]", async (name, range) => {
    const output = await runOvershoot(await overshootIn(name));
    expect(maxAbsDifference(output, await expected(range))).toBeLessThanOrEqual(1e-5);
  });

  it('defaults to UpscalerJS\'s [0, 255] for a model of no known package', async () => {
    const output = await runOvershoot(await overshootIn('some-other-models'));
    expect(maxAbsDifference(output, await expected(255))).toBeLessThanOrEqual(1e-5);
  });
});
