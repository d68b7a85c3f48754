import { describe, expect, it } from 'vitest';
import { selfEnsemble } from '../../src/upscale/selfEnsemble.js';
import { maxAbsDifference, randomImage } from '../helpers.js';
import { nearestRunner, rampRunner } from './fakeRunners.js';

/** Mirror planar [3, h, w] pixels left-right (plain loop). */
function mirror(data: Float32Array, height: number, width: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let c = 0; c < 3; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[(c * height + y) * width + x] = data[(c * height + y) * width + width - 1 - x];
  return out;
}

describe('selfEnsemble', () => {
  it('changes nothing for a model that commutes with flips and rotations', async () => {
    const image = randomImage(3, 7, 11, 2);
    const direct = await nearestRunner(3).run(image.data, 7, 11);
    const ensembled = await selfEnsemble(nearestRunner(3)).run(image.data, 7, 11);
    expect(maxAbsDifference(ensembled, direct)).toBeLessThan(1e-6);
  });

  it('makes any model commute with a mirror (the average over all 8 symmetries)', async () => {
    const image = randomImage(3, 6, 9, 3);
    const model = selfEnsemble(rampRunner(2));
    const ofMirrored = await model.run(mirror(image.data, 6, 9), 6, 9);
    const mirroredResult = mirror(await model.run(image.data, 6, 9), 12, 18);
    expect(maxAbsDifference(ofMirrored, mirroredResult)).toBeLessThan(1e-6);
    const plain = await rampRunner(2).run(image.data, 6, 9);
    expect(maxAbsDifference(await model.run(image.data, 6, 9), plain)).toBeGreaterThan(0.01);
  });
});
