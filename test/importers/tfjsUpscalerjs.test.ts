import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importTfjsModel } from '../../src/importers/tfjs/importTfjsModel.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { maxAbsDifference, repoRoot } from '../helpers.js';

// The UpscalerJS packages are installed beside the repository on the development machine only.
const upscalerjs = resolve(process.env.ENHANCE_PEERS ?? join(repoRoot, '../shared/peers/node_modules'), '@upscalerjs');
const fixtures = join(repoRoot, 'test/fixtures/tfjs');

async function readFloats(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function upscaleWith(modelJson: string, data: Float32Array, height: number, width: number) {
  const session = await createSession(await importTfjsModel(modelJson));
  const { output } = await session.run({ input: new ort.Tensor('float32', data, [1, 3, height, width]) });
  await session.release();
  return { data: output.data as Float32Array, dims: output.dims };
}

const PACKAGE_MODELS = [
  ...['esrgan-slim', 'esrgan-medium', 'esrgan-thick'].flatMap((name) => [2, 3, 4, 8].map((scale) => ({ name, scale, path: `models/x${scale}/model.json` }))),
  { name: 'default-model', scale: 2, path: 'models/model.json' },
];

describe.skipIf(!existsSync(upscalerjs))('importTfjsModel on the UpscalerJS packages', () => {
  // TF.js's output through UpscalerJS's pipeline for an 8x8 8-bit picture, made by the fixture generator.
  it.each([
    ['esrgan-slim', 'x4'],
    ['esrgan-thick', 'x4'],
  ])('upscales as UpscalerJS with TF.js does: %s %s', async (name, scale) => {
    const input = await readFloats(join(fixtures, `${name}-${scale}`, 'input.bin'));
    const output = await upscaleWith(join(upscalerjs, name, 'models', scale, 'model.json'), input, 8, 8);
    expect(output.dims).toEqual([1, 3, 32, 32]);
    expect(maxAbsDifference(output.data, await readFloats(join(fixtures, `${name}-${scale}`, 'expected.bin')))).toBeLessThanOrEqual(1e-4);
  });

  it.each(PACKAGE_MODELS)('imports $name x$scale and upscales by $scale', async ({ name, scale, path }) => {
    const input = Float32Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37 % 64) / 63);
    const output = await upscaleWith(join(upscalerjs, name, path), input, 4, 5);
    expect(output.dims).toEqual([1, 3, 4 * scale, 5 * scale]);
    expect(output.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
