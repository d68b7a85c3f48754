import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createImageTensor } from '../../src/image/tensor.js';
import { readNpz } from '../../src/io/npy.js';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import { ModelRunner } from '../../src/upscale/modelRunner.js';
import { openThreadedBackend } from '../../src/upscale/threadedBackend.js';
import type { TilingPlan } from '../../src/upscale/upscalePicture.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { maxAbsDifference, repoRoot } from '../helpers.js';

const fixtures = join(repoRoot, 'test/fixtures/architectures');
const clamp = (values: Float32Array) => values.map((v) => Math.min(1, Math.max(0, v)));

describe('a SwinIR model upscales pictures of any size, tiled or whole, as PyTorch does the whole picture', async () => {
  const file = join(fixtures, 'swinir-x2-tiling.pth');
  const { spec, state } = detectArchitecture(await readPytorchStateDict(file), file);
  const reference = await readNpz(join(fixtures, 'swinir-x2-tiling.npz'));
  const input = reference.get('input_b')!; // 40x54: no multiple of the window (4)
  const [height, width] = input.shape.slice(2);
  const picture = createImageTensor(3, height, width, input.data as Float32Array);
  const expected = clamp(reference.get('output_b')!.data as Float32Array);
  const runner = await ModelRunner.create(openThreadedBackend({ threads: 1 }), spec, state);

  it('whole: one run on the reflected picture', async () => {
    let plan: TilingPlan | undefined;
    const out = await runner.upscale(picture, { onPlan: (p) => (plan = p) });
    expect(plan!.tiles).toBe(1);
    expect(maxAbsDifference(out.data, expected)).toBeLessThan(1e-4);
  });

  it('tiled (16 px tiles, not a window multiple either): within 1/255 of PyTorch on the whole picture', async () => {
    let plan: TilingPlan | undefined;
    const out = await runner.upscale(picture, { tile: 16, onPlan: (p) => (plan = p) });
    expect(plan!.tiles).toBeGreaterThan(4);
    expect(maxAbsDifference(out.data, expected)).toBeLessThanOrEqual(1 / 255);
  });

  it('runs a graph per tile shape; a shape never built for gives no wrong numbers', async () => {
    // 7x9 is padded to 8x12 by reflection: the same as PyTorch on that picture.
    const small = createImageTensor(3, 7, 9, (input.data as Float32Array).slice(0, 3 * 63));
    const out = await runner.upscale(small);
    expect([out.height, out.width]).toEqual([14, 18]);
  });
});
