import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../src/image/readImage.js';
import { cropImage, selectChannels } from '../../src/image/tensor.js';
import { defaultModelFor } from '../../src/models/modelFile.js';
import { onnxOf, readModelSource } from '../../src/models/modelSource.js';
import { gridCrops } from '../../src/quantize/calibrationCrops.js';
import { quantizeModel } from '../../src/quantize/quantizeModel.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { upscale } from '../../src/upscale/upscale.js';
import { repoRoot, runCli, temporaryDirectory } from '../helpers.js';

async function run(model: Uint8Array, data: Float32Array, height: number, width: number): Promise<Float32Array> {
  const session = await createSession(model, { threads: 2 });
  try {
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, height, width]) });
    return out[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('int8 quantization of an SR model', () => {
  it('the default model in QDQ form: valid ONNX, int8 kernels, output within a level of fp32, the same bytes every time', async () => {
    const fp32 = onnxOf(await readModelSource(defaultModelFor(4)!));
    const { image } = await readImage(join(repoRoot, 'samples/chelsea.png'));
    const rgb = selectChannels(image, [0, 1, 2]);
    const crops = gridCrops(rgb, 48, 6);
    const options = { method: 'minmax' as const, percentile: 0.9999, threads: 2 };
    const int8 = await quantizeModel(fp32, crops, options);
    expect(Buffer.from(await quantizeModel(fp32, crops, options)).equals(Buffer.from(int8))).toBe(true);

    const model = onnxProto.onnx.ModelProto.decode(int8);
    const ops = model.graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'QuantizeLinear').length).toBeGreaterThan(5);
    const int8Weights = model.graph!.initializer!.filter((t) => t.dataType === onnxProto.onnx.TensorProto.DataType.INT8 && t.dims!.length === 4);
    expect(int8Weights.length).toBeGreaterThanOrEqual(5);

    // A picture the calibration did not see: the middle of the web JPEG.
    const { image: other } = await readImage(join(repoRoot, 'samples/chelsea_web.jpg'));
    const test = cropImage(selectChannels(other, [0, 1, 2]), 40, 60, 64, 80);
    const [a, b] = [await run(fp32, test.data, 64, 80), await run(int8, test.data, 64, 80)];
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += Math.abs(Math.min(1, Math.max(0, a[i])) - Math.min(1, Math.max(0, b[i])));
    const meanLevels = (sum / a.length) * 255;
    expect(meanLevels).toBeGreaterThan(0); // it is quantized
    expect(meanLevels).toBeLessThan(1);
  });

  it('enhance quantize writes a model enhance upscale runs; a wrong output name is one line', async () => {
    const dir = await temporaryDirectory();
    const out = join(dir, 'compact.int8.onnx');
    const made = await runCli(['quantize', '--model', 'default', '--crops', '4', '--crop-size', '48', '-o', out]);
    expect(made.code).toBe(0);
    expect((await readFile(out)).length).toBeGreaterThan(1000);
    const up = await runCli(['upscale', join(repoRoot, 'samples/chelsea_web.jpg'), '--model', out, '-o', join(dir, 'up.png')]);
    expect(up.code).toBe(0);
    const meta = await (await import('sharp')).default(join(dir, 'up.png')).metadata();
    const source = await (await import('sharp')).default(join(repoRoot, 'samples/chelsea_web.jpg')).metadata();
    expect([meta.width, meta.height]).toEqual([source.width! * 4, source.height! * 4]);
    const bad = await runCli(['quantize', '--model', 'default', '-o', join(dir, 'x.png')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toEqual([`enhance: ${join(dir, 'x.png')}: the output of quantize must be a .onnx file`]);
  });

  it("the library's precision 'int8' quantizes on loading: within a level of fp32, not equal to it", async () => {
    const input = join(repoRoot, 'samples/chelsea_web.jpg');
    const fp32 = await upscale(input, { model: 'default' }).raw();
    const int8 = await upscale(input, { model: 'default', precision: 'int8' }).raw();
    expect(int8.info).toEqual(fp32.info);
    let sum = 0;
    for (let i = 0; i < fp32.data.length; i++) sum += Math.abs(fp32.data[i] - int8.data[i]);
    const mean = sum / fp32.data.length;
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(1);
    expect(() => upscale(input, { model: 'default', precision: 'int4' as 'int8' })).toThrow("option 'precision': must be one of fp32, int8");
  });
});
