import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { readImage } from '../../src/image/readImage.js';
import { concatChannels, createImageTensor, cropImage, type ImageTensor } from '../../src/image/tensor.js';
import { evaluationPlane } from '../../src/metrics/evaluationPlane.js';
import { loadNiqePristineModel, niqe, type NiqePristineModel } from '../../src/metrics/niqe.js';
import { resizeImage } from '../../src/resize/resizeImage.js';
import { repoRoot, temporaryDirectory } from '../helpers.js';

// The reference data of ../shared/data/README.md: BasicSR's pristine model and its NIQE test picture.
const dataDir = join(repoRoot, '../shared/data');
const MODEL_PATH = join(dataDir, 'niqe_pris_params.npz');
// MATLAB R2021a on the Y channel of niqe_baboon.png, crop 0 (BasicSR's calculate_niqe docstring; BasicSR gets 5.7295763).
const MATLAB_NIQE = 5.72957338;

let pristine: NiqePristineModel;
let anchor: ImageTensor;
let anchorScore: number;

beforeAll(async () => {
  pristine = await loadNiqePristineModel(MODEL_PATH);
  anchor = (await readImage(join(dataDir, 'niqe_baboon.png'))).image;
  anchorScore = niqe(anchor, { pristine });
});

/** Uniform noise of ±amplitude on every channel, clamped, from a fixed seed. */
function withNoise(image: ImageTensor, amplitude: number): ImageTensor {
  let state = 12345;
  return createImageTensor(image.channels, image.height, image.width, image.data.map((v) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.min(1, Math.max(0, v + (state / 2 ** 32 - 0.5) * 2 * amplitude));
  }));
}

describe('niqe', () => {
  it('reproduces MATLAB and BasicSR on the anchor picture: 5.7296', () => {
    expect(anchorScore.toFixed(4)).toBe('5.7296');
    expect(Math.abs(anchorScore - MATLAB_NIQE)).toBeLessThan(1e-4);
  });

  it('scores a blurred and a noisy version of the anchor worse (higher)', () => {
    const { height, width } = anchor;
    const small = resizeImage(anchor, { height: height / 4, width: width / 4, method: 'bicubic' });
    const blurred = resizeImage(small, { height, width, method: 'bicubic' });
    expect(niqe(blurred, { pristine })).toBeGreaterThan(anchorScore + 1);
    expect(niqe(withNoise(anchor, 0.1), { pristine })).toBeGreaterThan(anchorScore + 1);
  });

  it('measures a gray picture on its channel: the anchor\'s Y as gray scores the same', () => {
    const y = evaluationPlane(anchor, 0);
    const gray = createImageTensor(1, y.height, y.width, Float32Array.from(y.data, (v) => v / 255));
    expect(niqe(gray, { pristine })).toBe(anchorScore);
  });

  it('ignores alpha', () => {
    const alpha = createImageTensor(1, anchor.height, anchor.width, new Float32Array(anchor.height * anchor.width).fill(0.3));
    expect(niqe(concatChannels([anchor, alpha]), { pristine })).toBe(anchorScore);
  });

  it('removes `crop` pixels at every border before cutting 96x96 blocks from the top-left', () => {
    const crop = 10;
    const inner = cropImage(anchor, crop, crop, anchor.height - 2 * crop, anchor.width - 2 * crop);
    const score = niqe(anchor, { pristine, crop });
    expect(score).toBe(niqe(inner, { pristine }));
    expect(score).not.toBe(anchorScore);
    // Rows and columns beyond the last whole block are never read.
    const blocks = cropImage(anchor, 0, 0, 480, 480);
    expect(niqe(blocks, { pristine })).toBe(anchorScore);
  });

  it('needs at least two whole blocks', () => {
    expect(() => niqe(cropImage(anchor, 0, 0, 191, 191), { pristine })).toThrow(/at least two 96x96 blocks/);
    expect(Number.isFinite(niqe(cropImage(anchor, 0, 0, 96, 192), { pristine }))).toBe(true);
  });

  it('is NaN for a flat picture, whose block statistics are undefined', () => {
    const flat = createImageTensor(3, 192, 192, new Float32Array(3 * 192 * 192).fill(0.5));
    expect(niqe(flat, { pristine })).toBeNaN();
  });
});

describe('loadNiqePristineModel', () => {
  it('reads the 36-feature Gaussian and the 7x7 window of BasicSR\'s model file', () => {
    expect(pristine.mean).toHaveLength(36);
    expect(pristine.mean[0]).toBeCloseTo(2.6013136801541448, 15);
    expect(pristine.covariance.size).toBe(36);
    expect(pristine.covariance.data[1]).toBe(pristine.covariance.data[36]);
    expect(pristine.window.size).toBe(7);
    expect(pristine.window.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  let scratch: string;
  let written = 0;
  beforeAll(async () => {
    scratch = await temporaryDirectory();
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  /** The real model's entries, with some replaced or removed, written as an .npz. */
  async function modifiedModel(change: (entries: Record<string, Uint8Array>) => void): Promise<string> {
    const entries = unzipSync(readFileSync(MODEL_PATH));
    change(entries);
    const path = join(scratch, `model-${++written}.npz`);
    await writeFile(path, zipSync(entries));
    return path;
  }

  it('names the file and the missing array', async () => {
    const path = await modifiedModel((entries) => delete entries['gaussian_window.npy']);
    const error = await loadNiqePristineModel(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnhanceError);
    expect((error as EnhanceError).message).toBe(`${path}: has no array 'gaussian_window', so it is not a NIQE pristine model`);
  });

  it('names the array of the wrong shape', async () => {
    const path = await modifiedModel((entries) => {
      entries['gaussian_window.npy'] = readFileSync(join(repoRoot, 'test/fixtures/npy/f8_c_2x3.npy'));
    });
    await expect(loadNiqePristineModel(path)).rejects.toThrow(`${path}: array 'gaussian_window' is f8 of shape (2, 3), a NIQE pristine model needs float (7, 7)`);
  });

  it('refuses a window that does not sum to 1', async () => {
    const path = await modifiedModel((entries) => {
      const doubled = entries['gaussian_window.npy'].slice();
      const view = new DataView(doubled.buffer);
      for (let at = 10 + view.getUint16(8, true); at < doubled.length; at += 8) view.setFloat64(at, 2 * view.getFloat64(at, true), true);
      entries['gaussian_window.npy'] = doubled;
    });
    await expect(loadNiqePristineModel(path)).rejects.toThrow(`${path}: array 'gaussian_window' sums to 2.00000, a NIQE window must sum to 1`);
  });

  it('refuses a file that is not an .npz', async () => {
    const path = join(dataDir, 'niqe_baboon.png');
    await expect(loadNiqePristineModel(path)).rejects.toThrow(`${path}: is not a NumPy .npz file (not a zip archive)`);
  });
});
