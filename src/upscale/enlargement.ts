import { rasterFromTensor, type Raster } from '../image/raster.js';
import type { BitDepth } from '../image/readImage.js';
import { cropImage, type ImageTensor } from '../image/tensor.js';
import { resampleBytesNeeded, WASM_MEMORY_LIMIT } from '../resize/resampleWasm.js';
import type { ResizeMethod } from '../resize/resizeImage.js';
import { resizeTo } from './interpolate.js';
import type { ModelTraits } from './modelTraits.js';
import { enlargementOf, modelPasses, outputSize, passesAreExact, type OutputSize, type PictureSize, type SizeRequest } from './outputSize.js';
import type { TileRunner } from './tileRunner.js';
import { upscaleToRaster, upscaleToTensor, type PictureOptions } from './upscalePicture.js';

/** The largest result enhance makes (1 Gpx: 4 GB as 8-bit RGBA), checked before any work starts. */
export const MAX_OUTPUT_PIXELS = 2 ** 30;

/**
 * How one picture reaches the size asked for: the model `passes` times (none for classical resizing),
 * then, unless the passes land on it exactly, a MATLAB bicubic resize (antialiased when shrinking)
 * and, for `fit: 'cover'`, a centred crop.
 */
export interface Enlargement {
  input: PictureSize;
  size: OutputSize;
  /** Model runs in a row (0: classical resizing only). */
  passes: number;
  modelScale: number;
  /** Whether a resize follows the model passes. */
  resize: boolean;
}

/** The enlargement of a picture for a request; `modelScale` undefined: classical resizing by `defaultScale`. */
export function planEnlargement(input: PictureSize, request: SizeRequest, modelScale: number | undefined, defaultScale: number): Enlargement {
  const size = outputSize(input, request, modelScale ?? defaultScale);
  if (modelScale === undefined) return { input, size, passes: 0, modelScale: 1, resize: true };
  const passes = modelPasses(enlargementOf(input, size), modelScale);
  return { input, size, passes, modelScale, resize: !passesAreExact(input, size, modelScale, passes) };
}

/** The size after the model passes. */
function modelOutputSize(e: Enlargement): PictureSize {
  const factor = e.modelScale ** e.passes;
  return { width: e.input.width * factor, height: e.input.height * factor };
}

const megapixels = (size: PictureSize) => `${size.width}x${size.height} (${Math.round((size.width * size.height) / 1e6)} Mpx)`;

/** Why this enlargement cannot be made, or undefined; checked from the picture's header, before decoding. */
export function enlargementProblem(e: Enlargement): string | undefined {
  const limit = `more than enhance makes (${Math.round(MAX_OUTPUT_PIXELS / 1e6)} Mpx)`;
  if (e.size.resized.width * e.size.resized.height > MAX_OUTPUT_PIXELS) return `would become ${megapixels(e.size.resized)}, ${limit}; ask for a smaller size`;
  const modelOutput = modelOutputSize(e);
  if (modelOutput.width * modelOutput.height > MAX_OUTPUT_PIXELS) {
    return `would become ${megapixels(modelOutput)} after ${e.passes} passes of the x${e.modelScale} model, ${limit}; ask for a smaller size or use a model of the scale asked`;
  }
  if (!e.resize) return undefined;
  const needed = resampleBytesNeeded(modelOutput.height, modelOutput.width, e.size.resized.height, e.size.resized.width);
  if (needed <= WASM_MEMORY_LIMIT) return undefined;
  const gb = (needed / 1024 ** 3).toFixed(1);
  return e.passes === 0
    ? `is too large for classical resizing to ${e.size.width}x${e.size.height} (${gb} GB of its 4 GB WebAssembly memory); use a model, which works in tiles, or a smaller size`
    : `is too large to resize from ${modelOutput.width}x${modelOutput.height} to ${e.size.width}x${e.size.height} after the model (${gb} GB of its 4 GB WebAssembly memory); ask for the model's own scale`;
}

/** The resize and crop that end an enlargement, on a float picture. */
function resizeAndCrop(image: ImageTensor, e: Enlargement, method: ResizeMethod, bitDepth: BitDepth): Raster {
  const resized = image.width === e.size.resized.width && image.height === e.size.resized.height ? image : resizeTo(image, e.size.resized, method, bitDepth);
  const crop = e.size.crop;
  return rasterFromTensor(crop ? cropImage(resized, crop.top, crop.left, e.size.height, e.size.width) : resized, bitDepth);
}

/** Classical resizing of a picture to the enlargement's size. */
export function resizeToRaster(image: ImageTensor, e: Enlargement, method: ResizeMethod, bitDepth: BitDepth): Raster {
  return resizeAndCrop(image, e, method, bitDepth);
}

/**
 * The model's passes, then the resize. Progress counts tiles over all passes; a later pass's tiles are
 * estimated (scale^2 times the last one's) until it starts.
 */
export async function enlargeToRaster(image: ImageTensor, runner: TileRunner & { traits?: ModelTraits }, bitDepth: BitDepth, e: Enlargement, options: PictureOptions = {}): Promise<Raster> {
  let current = image;
  let tilesBefore = 0;
  for (let pass = 1; pass <= e.passes; pass++) {
    const remaining = e.passes - pass;
    const onProgress = (done: number, total: number) => {
      let later = 0;
      for (let k = 1; k <= remaining; k++) later += total * e.modelScale ** (2 * k);
      options.onProgress?.(tilesBefore + done, tilesBefore + total + later);
      if (done === total) tilesBefore += total;
    };
    // The plan of the first pass is the one a user is told about.
    const passOptions = { ...options, onProgress, onPlan: pass === 1 ? options.onPlan : undefined };
    if (pass === e.passes && !e.resize) return upscaleToRaster(current, runner, bitDepth, passOptions);
    current = await upscaleToTensor(current, runner, passOptions);
  }
  return resizeAndCrop(current, e, 'bicubic', bitDepth);
}
