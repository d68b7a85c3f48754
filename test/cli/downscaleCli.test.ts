import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../src/image/readImage.js';
import { datasetsDir, maxAbsDifference, runCli, temporaryDirectory } from '../helpers.js';

describe('enhance downscale', () => {
  it('makes the same LR file as MATLAB from the full HR image (mod-cropped)', async () => {
    const dir = await temporaryDirectory();
    const result = await runCli(['downscale', join(datasetsDir, 'Set14/hr/comic.png'), '-o', join(dir, 'comic_lr.png'), '--scale', '3']);
    expect(result.code).toBe(0);
    const ours = (await readImage(join(dir, 'comic_lr.png'))).image;
    const matlab = (await readImage(join(datasetsDir, 'Set14/lr_x3_matlab/img_005_SRF_3_LR.png'))).image;
    expect([ours.height, ours.width]).toEqual([matlab.height, matlab.width]);
    expect(maxAbsDifference(ours.data, matlab.data)).toBe(0);
  });
});
