import { createRaster, rasterSink, type Raster } from '../image/raster.js';
import type { BitDepth } from '../image/readImage.js';
import { channelPlane, colorChannelCount, createImageTensor, hasAlphaChannel, selectChannels, tensorSink, type ImageTensor } from '../image/tensor.js';
import { interpolate } from './interpolate.js';
// On the page, scripts/buildWeb.mjs bundles web/src/pageMemoryBudget.ts here (a browser has no /proc).
import { memoryBudget, type MemoryBudget } from './memoryBudget.js';
import type { ModelTraits } from './modelTraits.js';
import { selfEnsemble } from './selfEnsemble.js';
import { planAxis } from './tilePlan.js';
import { tiledUpscale, type PixelSink } from './tiledUpscale.js';
import type { TileRunner } from './tileRunner.js';
import { tileBytes, tileShapeFor, type TileShape } from './tileShape.js';
import { pictureSettings, type PictureOptionsInput } from './upscaleOptions.js';

export type { AlphaMode } from './upscaleOptions.js';

/**
 * How to enlarge one picture: the fields of `pictureOptionsSchema` (tile, tilePad, overlap,
 * memoryBudget, tta, alpha; undefined takes the schema's default), and the caller's hooks.
 */
export type PictureOptions = PictureOptionsInput & {
  signal?: AbortSignal;
  /** Called once before the first run with how the picture is cut (for `--verbose`). */
  onPlan?: (plan: TilingPlan) => void;
  /** Called after every model run with the tiles done and the tiles in all. */
  onProgress?: (done: number, total: number) => void;
};

/** How a picture is cut into model runs, and the memory that was planned for. */
export interface TilingPlan {
  tile: TileShape;
  /** Model runs per pass (an alpha channel enlarged by the model is a second pass). */
  tiles: number;
  tilePad: number;
  /** Estimated working memory of one run and its strip, bytes. */
  estimatedBytes: number;
  /** The budget planned for, and where it came from (`memoryBudget` given, or the machine's). */
  budget: MemoryBudget;
}

/** Working memory per input pixel assumed for a runner that does not say (a model that could not be measured). */
export const UNKNOWN_BYTES_PER_PIXEL = 16384;

function isOpaque(alpha: Float32Array): boolean {
  for (let i = 0; i < alpha.length; i++) if (alpha[i] < 1) return false;
  return true;
}

function fillRows(sink: PixelSink, channel: number, value: number): void {
  const rows = Math.max(1, Math.floor(2 ** 20 / sink.width));
  const values = new Float32Array(rows * sink.width).fill(value);
  for (let top = 0; top < sink.height; top += rows) sink.putRows(channel, top, values, Math.min(rows, sink.height - top));
}

/**
 * Enlarge any picture with a model, into `sink`: gray runs as RGB and comes back as the mean of the
 * three outputs; alpha is dropped when fully opaque (and restored as opaque), otherwise enlarged by the
 * model as a gray picture or by bicubic; everything runs tile by tile.
 */
export async function upscaleInto(image: ImageTensor, runner: TileRunner & { traits?: ModelTraits }, sink: PixelSink, options: PictureOptions = {}): Promise<void> {
  const o = pictureSettings(options);
  const tilePad = o.tilePad ?? Math.min(runner.traits?.receptiveRadius ?? 16, 32);
  // Read per picture: what the machine has free changes while a folder is upscaled.
  const budget = memoryBudget(o.memoryBudget);
  const shapeInputs = {
    width: image.width,
    height: image.height,
    bytesPerPixel: runner.traits?.bytesPerPixel ?? UNKNOWN_BYTES_PER_PIXEL,
    budgetBytes: budget.bytes,
    pad: tilePad,
    stripBytesPerRow: image.width * runner.scale * runner.scale * 3 * 4,
  };
  const tile = o.tile === 'auto' ? tileShapeFor(shapeInputs) : { width: o.tile, height: o.tile };
  const model = o.tta ? selfEnsemble(runner) : runner;
  const gray = colorChannelCount(image) === 1;
  const alphaChannel = hasAlphaChannel(image) ? image.channels - 1 : undefined;
  const alpha = alphaChannel === undefined ? undefined : channelPlane(image, alphaChannel);
  const opaque = alpha !== undefined && isOpaque(alpha);
  const alphaByModel = alpha !== undefined && o.alpha === 'model' && !opaque;

  const align = runner.traits?.alignTiles ? runner.traits.sizeMultiple : 1;
  const axis = { pad: tilePad, overlap: o.overlap, scale: runner.scale, align };
  const tilesPerPass = planAxis(image.width, { ...axis, tile: tile.width }).length * planAxis(image.height, { ...axis, tile: tile.height }).length;
  options.onPlan?.({ tile, tiles: tilesPerPass, tilePad, estimatedBytes: tileBytes(tile, shapeInputs), budget });
  const passes = alphaByModel ? 2 : 1;
  let tilesBefore = 0;
  const onTile = (done: number, total: number) => options.onProgress?.(tilesBefore + done, total * passes);
  const common = { tile, pad: tilePad, overlap: o.overlap, align, signal: options.signal, onTile };

  const color = selectChannels(image, gray ? [0, 0, 0] : [0, 1, 2]);
  await tiledUpscale(color, model, sink, { ...common, channel: 0, reduce: gray ? 'mean' : 'rgb' });
  tilesBefore = tilesPerPass;
  if (alphaChannel === undefined || alpha === undefined) return;
  if (opaque) return fillRows(sink, alphaChannel, 1);
  if (alphaByModel) {
    const alphaAsRgb = createImageTensor(3, image.height, image.width);
    for (let c = 0; c < 3; c++) alphaAsRgb.data.set(alpha, c * alpha.length);
    await tiledUpscale(alphaAsRgb, model, sink, { ...common, channel: alphaChannel, reduce: 'mean' });
    return;
  }
  const enlarged = interpolate(selectChannels(image, [alphaChannel]), runner.scale, 'bicubic');
  sink.putRows(alphaChannel, 0, enlarged.data, enlarged.height);
}

/** Enlarge a picture into an 8- or 16-bit raster (the memory-lean form, for writing files). */
export async function upscaleToRaster(image: ImageTensor, runner: TileRunner & { traits?: ModelTraits }, bitDepth: BitDepth, options: PictureOptions = {}): Promise<Raster> {
  const raster = createRaster(image.width * runner.scale, image.height * runner.scale, image.channels, bitDepth);
  await upscaleInto(image, runner, rasterSink(raster), options);
  return raster;
}

/** Enlarge a picture into a float tensor (no rounding: evaluation, validation). */
export async function upscaleToTensor(image: ImageTensor, runner: TileRunner & { traits?: ModelTraits }, options: PictureOptions = {}): Promise<ImageTensor> {
  const out = createImageTensor(image.channels, image.height * runner.scale, image.width * runner.scale);
  await upscaleInto(image, runner, tensorSink(out), options);
  return out;
}

