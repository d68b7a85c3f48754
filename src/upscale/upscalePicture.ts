import { createRaster, rasterSink, type Raster } from '../image/raster.js';
import type { BitDepth } from '../image/readImage.js';
import { channelPlane, colorChannelCount, createImageTensor, hasAlphaChannel, selectChannels, tensorSink, type ImageTensor } from '../image/tensor.js';
import { interpolate } from './interpolate.js';
import { selfEnsemble } from './selfEnsemble.js';
import { planAxis } from './tilePlan.js';
import { tiledUpscale, type PixelSink } from './tiledUpscale.js';
import { tileBytes, tileShapeFor, type TileShape } from './tileShape.js';
import type { TileRunner } from './tileRunner.js';
import type { ModelTraits } from './modelTraits.js';

export type AlphaMode = 'model' | 'bicubic';

export interface PictureOptions {
  /** Tile side in input pixels, or 'auto': the fewest, largest tiles that fit `memoryBudget`. */
  tile: number | 'auto';
  /** Context read around each tile, input pixels. Default: the model's receptive radius, at most 32. */
  tilePad?: number;
  /** Input pixels neighbouring tiles share and blend across. Default 8. */
  overlap: number;
  /**
   * Working memory of the tiles, MB (sizes 'auto' tiles: a model run and the blending strip). Default
   * 768 here; Node's `upscale()` and the CLI give half of the machine's available memory instead.
   */
  memoryBudget: number;
  /** Self-ensemble: average the 8 flips/rotations (8x the time). */
  tta: boolean;
  /** How a non-opaque alpha channel is enlarged: by the model (as a gray picture) or MATLAB bicubic. */
  alpha: AlphaMode;
  signal?: AbortSignal;
  /** Called once before the first run with how the picture is cut (for `--verbose`). */
  onPlan?: (plan: TilingPlan) => void;
  /** Called after every model run with the tiles done and the tiles in all. */
  onProgress?: (done: number, total: number) => void;
}

/** How a picture is cut into model runs, and the memory that was planned for. */
export interface TilingPlan {
  tile: TileShape;
  /** Model runs per pass (an alpha channel enlarged by the model is a second pass). */
  tiles: number;
  pad: number;
  /** Estimated working memory of one run and its strip, bytes. */
  estimatedBytes: number;
  budgetBytes: number;
}

export const DEFAULT_PICTURE_OPTIONS: PictureOptions = { tile: 'auto', overlap: 8, memoryBudget: 768, tta: false, alpha: 'model' };

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
export async function upscaleInto(image: ImageTensor, runner: TileRunner & { traits?: ModelTraits }, sink: PixelSink, options: Partial<PictureOptions> = {}): Promise<void> {
  // Options left undefined take their defaults (a spread would let `undefined` override them).
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: PictureOptions = { ...DEFAULT_PICTURE_OPTIONS, ...given };
  const pad = o.tilePad ?? Math.min(runner.traits?.receptiveRadius ?? 16, 32);
  const shapeInputs = {
    width: image.width,
    height: image.height,
    bytesPerPixel: runner.traits?.bytesPerPixel ?? 16384,
    budgetBytes: o.memoryBudget * 2 ** 20,
    pad,
    stripBytesPerRow: image.width * runner.scale * runner.scale * 3 * 4,
  };
  const tile = o.tile === 'auto' ? tileShapeFor(shapeInputs) : { width: o.tile, height: o.tile };
  const model = o.tta ? selfEnsemble(runner) : runner;
  const gray = colorChannelCount(image) === 1;
  const alphaChannel = hasAlphaChannel(image) ? image.channels - 1 : undefined;
  const alpha = alphaChannel === undefined ? undefined : channelPlane(image, alphaChannel);
  const opaque = alpha !== undefined && isOpaque(alpha);
  const alphaByModel = alpha !== undefined && o.alpha === 'model' && !opaque;

  const axis = { pad, overlap: o.overlap, scale: runner.scale };
  const tilesPerPass = planAxis(image.width, { ...axis, tile: tile.width }).length * planAxis(image.height, { ...axis, tile: tile.height }).length;
  o.onPlan?.({ tile, tiles: tilesPerPass, pad, estimatedBytes: tileBytes(tile, shapeInputs), budgetBytes: shapeInputs.budgetBytes });
  const passes = alphaByModel ? 2 : 1;
  let tilesBefore = 0;
  const onTile = (done: number, total: number) => o.onProgress?.(tilesBefore + done, total * passes);
  const common = { tile, pad, overlap: o.overlap, signal: o.signal, onTile };

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
export async function upscaleToRaster(image: ImageTensor, runner: TileRunner & { traits?: ModelTraits }, bitDepth: BitDepth, options: Partial<PictureOptions> = {}): Promise<Raster> {
  const raster = createRaster(image.width * runner.scale, image.height * runner.scale, image.channels, bitDepth);
  await upscaleInto(image, runner, rasterSink(raster), options);
  return raster;
}

/** Enlarge a picture into a float tensor (no rounding: evaluation, validation). */
export async function upscaleToTensor(image: ImageTensor, runner: TileRunner & { traits?: ModelTraits }, options: Partial<PictureOptions> = {}): Promise<ImageTensor> {
  const out = createImageTensor(image.channels, image.height * runner.scale, image.width * runner.scale);
  await upscaleInto(image, runner, tensorSink(out), options);
  return out;
}

