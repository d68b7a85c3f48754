import { EnhanceError } from '../errors.js';
import { createImageTensor, type ImageTensor } from '../image/tensor.js';
import { npyValuesAsFloat64, readNpz, type NpyArray } from '../io/npy.js';
import { resizeImage } from '../resize/resizeImage.js';
import { evaluationPlane } from './evaluationPlane.js';
import { blockFeatures, FEATURES_PER_BLOCK, mscnCoefficients, type FilterWindow } from './naturalSceneStatistics.js';
import type { Plane } from './plane.js';
import { sampleCovariance, symmetricPseudoInverse, type SymmetricMatrix } from './symmetricMatrix.js';

/**
 * NIQE, the Natural Image Quality Evaluator (Mittal, Soundararajan, Bovik, "Making a Completely Blind
 * Image Quality Analyzer", IEEE SPL 2013): how far the statistics of an image's blocks lie from those of
 * pristine natural images. Lower is better. Computed as MATLAB `niqe` and BasicSR `calculate_niqe`
 * (block size 96, no overlap, two scales).
 */

const BLOCK_SIZE = 96;
const SCALES = 2;
const FEATURE_COUNT = SCALES * FEATURES_PER_BLOCK;

/** The multivariate Gaussian fitted to pristine images' features, and the window of the MSCN statistics. */
export interface NiqePristineModel {
  /** Mean of the 36 features. */
  readonly mean: Float64Array;
  /** Their 36 x 36 covariance. */
  readonly covariance: SymmetricMatrix;
  /** The 7x7 Gaussian window of the local means and deviations. */
  readonly window: FilterWindow;
}

function modelArray(arrays: Map<string, NpyArray>, name: string, shapes: readonly (readonly number[])[], path: string): Float64Array {
  const array = arrays.get(name);
  if (!array) throw new EnhanceError(`has no array '${name}', so it is not a NIQE pristine model`, { file: path });
  if (array.dtype === 'i8' || !shapes.some((shape) => shape.join() === array.shape.join())) {
    const wanted = shapes.map((shape) => `(${shape.join(', ')})`).join(' or ');
    throw new EnhanceError(`array '${name}' is ${array.dtype} of shape (${array.shape.join(', ')}), a NIQE pristine model needs float ${wanted}`, { file: path });
  }
  return npyValuesAsFloat64(array);
}

/** The pristine model from an `.npz` holding mu_pris_param, cov_pris_param and gaussian_window (as BasicSR ships it). */
export async function loadNiqePristineModel(path: string): Promise<NiqePristineModel> {
  const arrays = await readNpz(path);
  const mean = modelArray(arrays, 'mu_pris_param', [[1, FEATURE_COUNT], [FEATURE_COUNT]], path);
  const covariance = modelArray(arrays, 'cov_pris_param', [[FEATURE_COUNT, FEATURE_COUNT]], path);
  const window = modelArray(arrays, 'gaussian_window', [[7, 7]], path);
  const windowSum = window.reduce((sum, w) => sum + w, 0);
  if (Math.abs(windowSum - 1) > 1e-9) {
    throw new EnhanceError(`array 'gaussian_window' sums to ${windowSum.toPrecision(6)}, a NIQE window must sum to 1`, { file: path });
  }
  return { mean, covariance: { size: FEATURE_COUNT, data: covariance }, window: { size: 7, data: window } };
}

/**
 * The plane at half size by MATLAB's antialiased bicubic `imresize`, unrounded. `resizeImage` clamps to
 * [0, 1] and bicubic overshoots, so the levels (integers 0..255) go in as (level + 128) / 512, exact in
 * float32 and far from both ends; resizing commutes with that map because its weights sum to 1.
 */
function halfSize(plane: Plane): Plane {
  const shifted = createImageTensor(1, plane.height, plane.width, Float32Array.from(plane.data, (v) => (v + 128) / 512));
  const height = plane.height / 2;
  const width = plane.width / 2;
  const resized = resizeImage(shifted, { height, width, method: 'bicubic' });
  return { height, width, data: Float64Array.from(resized.data, (v) => v * 512 - 128) };
}

/** Each block's 18 features at one scale, blocks in row-major order. */
function scaleFeatures(plane: Plane, window: FilterWindow, blocksDown: number, blocksAcross: number, blockSize: number): Float64Array[] {
  const mscn = mscnCoefficients(plane, window);
  const features: Float64Array[] = [];
  for (let by = 0; by < blocksDown; by++) {
    for (let bx = 0; bx < blocksAcross; bx++) features.push(blockFeatures(mscn, by * blockSize, bx * blockSize, blockSize, blockSize));
  }
  return features;
}

/**
 * The fitted Gaussian of the image's blocks, as the reference code fits it: the mean of each feature
 * over the blocks where it is defined (`nanmean`); the covariance over the blocks whose features are all
 * defined (`nancov`). A flat block leaves some features undefined (NaN).
 */
function fitBlocks(rows: readonly Float64Array[]): { mean: Float64Array; covariance: SymmetricMatrix } | undefined {
  const mean = new Float64Array(FEATURE_COUNT);
  for (let k = 0; k < FEATURE_COUNT; k++) {
    let sum = 0;
    let count = 0;
    for (const row of rows) {
      if (!Number.isNaN(row[k])) {
        sum += row[k];
        count++;
      }
    }
    mean[k] = sum / count;
  }
  const complete = rows.filter((row) => row.every((v) => !Number.isNaN(v)));
  return complete.length < 2 ? undefined : { mean, covariance: sampleCovariance(complete) };
}

/**
 * NIQE of an image (lower is better): on its Y channel (MATLAB `rgb2ycbcr` of the image rounded to
 * uint8) or gray channel, `crop` pixels removed at every border, then cut to whole 96x96 blocks from the
 * top-left. NaN when fewer than two blocks have defined features (a flat picture).
 */
export function niqe(image: ImageTensor, options: { crop?: number; pristine: NiqePristineModel }): number {
  const { pristine } = options;
  const full = evaluationPlane(image, options.crop ?? 0);
  const blocksDown = Math.floor(full.height / BLOCK_SIZE);
  const blocksAcross = Math.floor(full.width / BLOCK_SIZE);
  if (blocksDown * blocksAcross < 2) {
    throw new RangeError(`niqe: needs at least two ${BLOCK_SIZE}x${BLOCK_SIZE} blocks, the measured region is ${full.width}x${full.height}`);
  }
  const plane = cropTopLeft(full, blocksDown * BLOCK_SIZE, blocksAcross * BLOCK_SIZE);
  const fine = scaleFeatures(plane, pristine.window, blocksDown, blocksAcross, BLOCK_SIZE);
  const coarse = scaleFeatures(halfSize(plane), pristine.window, blocksDown, blocksAcross, BLOCK_SIZE / 2);
  const rows = fine.map((features, i) => {
    const row = new Float64Array(FEATURE_COUNT);
    row.set(features);
    row.set(coarse[i], FEATURES_PER_BLOCK);
    return row;
  });
  const fitted = fitBlocks(rows);
  if (!fitted) return NaN;

  // Eq. 10: a Mahalanobis distance under the average of the two covariances.
  const n = FEATURE_COUNT;
  const averaged = pristine.covariance.data.map((v, i) => (v + fitted.covariance.data[i]) / 2);
  const inverse = symmetricPseudoInverse({ size: n, data: averaged }).data;
  const difference = pristine.mean.map((v, i) => v - fitted.mean[i]);
  let distance = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) distance += difference[i] * inverse[i * n + j] * difference[j];
  return Math.sqrt(distance);
}

function cropTopLeft(plane: Plane, height: number, width: number): Plane {
  if (height === plane.height && width === plane.width) return plane;
  const data = new Float64Array(height * width);
  for (let y = 0; y < height; y++) data.set(plane.data.subarray(y * plane.width, y * plane.width + width), y * width);
  return { height, width, data };
}
