import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bicubicDownsample } from '../../src/degradation/bicubicDownsample.js';
import { readImage } from '../../src/image/readImage.js';
import { datasetsDir, randomImage } from '../helpers.js';

function levels(data: Float32Array): Int32Array {
  return Int32Array.from(data, (v) => Math.round(v * 255));
}

describe('bicubicDownsample reproduces the MATLAB-made LR files of Set5 and Set14', () => {
  for (const set of ['Set5', 'Set14']) {
    for (const scale of [2, 3, 4]) {
      const folder = join(datasetsDir, set, `lr_x${scale}_matlab`);
      for (const hrName of readdirSync(folder).filter((name) => name.endsWith('_HR.png')).sort()) {
        it(`${set} x${scale} ${hrName}: 0 differing pixels`, async () => {
          const hr = (await readImage(join(folder, hrName))).image;
          const expected = (await readImage(join(folder, hrName.replace('_HR.png', '_LR.png')))).image;
          const ours = bicubicDownsample(hr, scale);
          expect([ours.channels, ours.height, ours.width]).toEqual([expected.channels, expected.height, expected.width]);
          const a = levels(ours.data);
          const b = levels(expected.data);
          let differing = 0;
          for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
          expect(differing).toBe(0);
        });
      }
    }
  }
});

describe('bicubicDownsample', () => {
  it('crops the HR to a multiple of the scale first', () => {
    const out = bicubicDownsample(randomImage(3, 27, 30), 4);
    expect([out.height, out.width]).toEqual([6, 7]);
  });

  it('without modCrop gives ceil(size / scale), as imresize(I, 1/s)', () => {
    const out = bicubicDownsample(randomImage(3, 27, 30), 4, { modCrop: false });
    expect([out.height, out.width]).toEqual([7, 8]);
  });

  it('rounds to 16-bit levels for a 16-bit image, not to 8-bit ones', () => {
    const out = bicubicDownsample(randomImage(1, 16, 16, 9, true), 2, { bitDepth: 16 });
    const off8bitGrid = Array.from(out.data).filter((v) => Math.abs(v * 255 - Math.round(v * 255)) > 1e-3).length;
    expect(off8bitGrid).toBeGreaterThan(0);
    for (const v of out.data) expect(Math.abs(v * 65535 - Math.round(v * 65535))).toBeLessThan(1e-2);
  });
});
