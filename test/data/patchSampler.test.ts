import { describe, expect, it } from 'vitest';
import { PatchSampler } from '../../src/data/patchSampler.js';
import type { TrainingImage } from '../../src/data/trainingSet.js';
import { createImageTensor } from '../../src/image/tensor.js';
import { randomImage } from '../helpers.js';

/** An HR image made of scale x scale constant blocks, each the value of its LR pixel: every LR pixel's block is known exactly. */
function blockImage(seed: number, scale: number): TrainingImage {
  const lr = randomImage(3, 10, 12, seed, true);
  const hr = createImageTensor(3, 10 * scale, 12 * scale);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < hr.height; y++)
      for (let x = 0; x < hr.width; x++) hr.data[(c * hr.height + y) * hr.width + x] = lr.data[(c * 10 + Math.floor(y / scale)) * 12 + Math.floor(x / scale)];
  return { name: `block${seed}`, hr, lr };
}

describe('PatchSampler', () => {
  const scale = 3;
  const images = [blockImage(1, scale), blockImage(2, scale)];
  const options = { scale, lrPatch: 5, batch: 6, patchesPerImage: 4, augment: true, seed: 11 };

  it('cuts LR and HR patches that stay aligned under every flip and rotation', () => {
    const sampler = new PatchSampler(images, options);
    for (let round = 0; round < 5; round++) {
      const { lr, hr } = sampler.next();
      expect(lr.shape).toEqual([6, 3, 5, 5]);
      expect(hr.shape).toEqual([6, 3, 15, 15]);
      for (let b = 0; b < 6; b++)
        for (let c = 0; c < 3; c++)
          for (let y = 0; y < 15; y++)
            for (let x = 0; x < 15; x++) {
              const h = hr.data[((b * 3 + c) * 15 + y) * 15 + x];
              const l = lr.data[((b * 3 + c) * 5 + Math.floor(y / scale)) * 5 + Math.floor(x / scale)];
              expect(h).toBe(l);
            }
    }
  });

  it('uses several of the 8 orientations and is reproducible from its seed and from a saved state', () => {
    const a = new PatchSampler(images, options);
    const b = new PatchSampler(images, options);
    for (let i = 0; i < 3; i++) expect(Array.from(a.next().lr.data as Float32Array)).toEqual(Array.from(b.next().lr.data as Float32Array));
    const saved = a.state;
    const expected = [a.next(), a.next()].map((batch) => Array.from(batch.hr.data as Float32Array));
    const c = new PatchSampler(images, { ...options, seed: 999 });
    c.restore(saved);
    expect([c.next(), c.next()].map((batch) => Array.from(batch.hr.data as Float32Array))).toEqual(expected);
  });

  it('visits every image patchesPerImage times per epoch', () => {
    const sampler = new PatchSampler(images, { ...options, batch: 1, augment: false });
    expect(sampler.state.order.filter((i) => i === 0)).toHaveLength(4);
    expect(sampler.state.order).toHaveLength(8);
  });
});
