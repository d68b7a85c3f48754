import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';
import { readImage } from '../../src/image/readImage.js';
import { writeImage } from '../../src/image/writeImage.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { interpolate } from '../../src/upscale/interpolate.js';
import { float32Weights, NcnnModelWriter } from '../fixtures/ncnn/ncnnModelWriter.js';
import { maxAbsDifference, randomImage, repoRoot, runCli, temporaryDirectory } from '../helpers.js';

const fixtures = join(repoRoot, 'test/fixtures');

async function upscaleWith(dir: string, model: string, name: string, extra: string[] = []) {
  const result = await runCli(['upscale', join(dir, 'in.png'), '--model', model, '-o', join(dir, name), ...extra]);
  expect(result.code).toBe(0);
  // Nothing but the one line introducing a downloaded model (its model card).
  expect(result.stderr.trim().split('\n').filter(Boolean).every((line) => line.startsWith(`enhance: ${model}: `) && line.includes('licence'))).toBe(true);
  return (await readImage(join(dir, name))).image;
}

describe('models from the whole ecosystem, from the CLI', () => {
  it('a Real-ESRGAN .pth (params_ema) runs as its .safetensors twin does, and its ONNX export runs the same', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 12, 10, 4, true));
    const pth = await upscaleWith(dir, join(fixtures, 'models/realesrgan-compact-x4.pth'), 'pth.png');
    const twin = await upscaleWith(dir, join(fixtures, 'models/realesrgan-compact-x4.safetensors'), 'twin.png');
    expect([pth.width, pth.height]).toEqual([40, 48]);
    expect(maxAbsDifference(pth.data, twin.data)).toBe(0);
    const exported = await runCli(['export', '--model', join(fixtures, 'models/realesrgan-compact-x4.pth'), '-o', join(dir, 'compact.onnx')]);
    expect(exported.code).toBe(0);
    expect(maxAbsDifference((await upscaleWith(dir, join(dir, 'compact.onnx'), 'onnx.png')).data, pth.data)).toBeLessThanOrEqual(1 / 255 + 1e-6);
  });

  it('the default model exported to ONNX runs in a fresh onnxruntime session at any size and gives the CLI result', async () => {
    const dir = await temporaryDirectory();
    const image = randomImage(3, 20, 28, 8, true);
    await writeImage(join(dir, 'in.png'), image);
    expect((await runCli(['export', '--model', 'default', '-o', join(dir, 'default.onnx')])).code).toBe(0);
    const session = await createSession(new Uint8Array(await (await import('node:fs/promises')).readFile(join(dir, 'default.onnx'))));
    const decoded = (await readImage(join(dir, 'in.png'))).image;
    const { output } = await session.run({ input: new ort.Tensor('float32', decoded.data, [1, 3, 20, 28]) });
    expect(output.dims).toEqual([1, 3, 80, 112]);
    const cli = await upscaleWith(dir, 'default', 'cli.png');
    const clamped = Float32Array.from(output.data as Float32Array, (v) => Math.min(1, Math.max(0, v)));
    expect(maxAbsDifference(cli.data, clamped)).toBeLessThanOrEqual(0.5 / 255 + 1e-5);
    await session.release();
  });

  it('an ncnn .param/.bin model runs (a 1x1 conv + PixelShuffle equal to nearest x2)', async () => {
    const dir = await temporaryDirectory();
    const weights = new Float32Array(12 * 3);
    for (let c = 0; c < 3; c++) for (let k = 0; k < 4; k++) weights[(c * 4 + k) * 3 + c] = 1;
    const param = await new NcnnModelWriter()
      .layer('Input', 'in', [], ['data'], '0=0 1=0 2=3')
      .layer('Convolution', 'conv', ['data'], ['conv'], `0=12 1=1 5=0 6=${weights.length}`, float32Weights(weights))
      .layer('PixelShuffle', 'shuffle', ['conv'], ['out'], '0=2')
      .write(dir, 'nearest');
    const image = randomImage(3, 9, 7, 2);
    await writeImage(join(dir, 'in.png'), image);
    const out = await upscaleWith(dir, param, 'out.png');
    expect(maxAbsDifference(out.data, interpolate((await readImage(join(dir, 'in.png'))).image, 2, 'nearest').data)).toBeLessThan(1e-6);
  });

  it('a TF.js layers model (model.json + shard) runs at its own scale', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 6, 5, 3));
    const out = await upscaleWith(dir, join(fixtures, 'tfjs/shuffle3-float32/model.json'), 'out.png');
    expect([out.channels, out.width, out.height]).toEqual([3, 15, 18]);
  });

  it('interpolate blends two models of one architecture parameter by parameter', async () => {
    const dir = await temporaryDirectory();
    const a = join(repoRoot, 'models/compact-x4.safetensors');
    const b = join(dir, 'other.safetensors');
    // A second model of the same architecture: the default x4 with every parameter negated.
    const original = await readSafetensors(a);
    const { writeSafetensors } = await import('../../src/checkpoint/safetensors.js');
    await writeSafetensors(b, new Map([...original.tensors].map(([k, t]) => [k, { ...t, data: Float32Array.from(t.data as Float32Array, (v) => -v) }])), original.metadata);
    const result = await runCli(['interpolate', a, b, '--alpha', '0.25', '-o', join(dir, 'blend.safetensors')]);
    expect(result.code).toBe(0);
    const blend = await readSafetensors(join(dir, 'blend.safetensors'));
    for (const [name, t] of original.tensors) {
      const expected = Float32Array.from(t.data as Float32Array, (v) => 0.75 * v + 0.25 * -v);
      expect(maxAbsDifference(blend.tensors.get(name)!.data as Float32Array, expected)).toBeLessThan(1e-7);
    }
    expect(blend.metadata['enhance.arch']).toBe('srvgg-compact');
    const mismatch = await runCli(['interpolate', a, join(repoRoot, 'models/compact-x2.safetensors'), '--alpha', '0.5', '-o', join(dir, 'bad.safetensors')]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('only models of the same architecture and size interpolate');
  });

  it('--format and --skip-existing for folders', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in/a.png'), randomImage(3, 8, 8, 1));
    await writeImage(join(dir, 'in/sub/b.png'), randomImage(3, 8, 8, 2));
    const first = await runCli(['upscale', join(dir, 'in'), '-o', join(dir, 'out'), '--format', 'webp', '--method', 'bicubic']);
    expect(first.code).toBe(0);
    expect((await sharp(join(dir, 'out/sub/b.webp')).metadata()).format).toBe('webp');
    await copyFile(join(dir, 'out/a.webp'), join(dir, 'a-before.webp'));
    await writeImage(join(dir, 'in/c.png'), randomImage(3, 8, 8, 3));
    const second = await runCli(['upscale', join(dir, 'in'), '-o', join(dir, 'out'), '--format', 'webp', '--method', 'bicubic', '--skip-existing']);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('skipping 2 of 3 pictures whose output exists');
    expect((await sharp(join(dir, 'out/c.webp')).metadata()).width).toBe(32);
  });
});
