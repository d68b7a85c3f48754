import type { BitDepth } from './readImage.js';
import { createImageTensor, type ImageTensor } from './tensor.js';

/**
 * An interleaved integer picture, the form encoders take. Large results are assembled directly in
 * this form: at 8 bits it needs a sixteenth of the memory of a planar float32 tensor with the same
 * pixels, which is what keeps a 2048x2048 -> 8192x8192 upscale within a small memory budget.
 */
export interface Raster {
  readonly width: number;
  readonly height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA (alpha last). */
  readonly channels: number;
  readonly bitDepth: BitDepth;
  readonly data: Uint8Array | Uint16Array;
}

export function createRaster(width: number, height: number, channels: number, bitDepth: BitDepth): Raster {
  const size = width * height * channels;
  return { width, height, channels, bitDepth, data: bitDepth === 16 ? new Uint16Array(size) : new Uint8Array(size) };
}

export function maxLevel(bitDepth: BitDepth): number {
  return bitDepth === 16 ? 65535 : 255;
}

/**
 * Quantize rows of one channel into a raster: `values` holds `rows` full-width rows in [0, 1]
 * (clamped), written to channel `channel` starting at row `top`.
 */
export function putChannelRows(raster: Raster, channel: number, top: number, values: Float32Array, rows: number): void {
  const { width, channels, data } = raster;
  const max = maxLevel(raster.bitDepth);
  const count = rows * width;
  for (let i = 0, j = top * width * channels + channel; i < count; i++, j += channels) {
    const v = values[i];
    data[j] = v <= 0 ? 0 : v >= 1 ? max : Math.round(v * max);
  }
}

/** Fill one channel with a constant level (an opaque alpha channel restored without computing it). */
export function fillChannel(raster: Raster, channel: number, level: number): void {
  const { data, channels } = raster;
  for (let j = channel; j < data.length; j += channels) data[j] = level;
}

export function rasterFromTensor(image: ImageTensor, bitDepth: BitDepth): Raster {
  const raster = createRaster(image.width, image.height, image.channels, bitDepth);
  const size = image.width * image.height;
  for (let c = 0; c < image.channels; c++) putChannelRows(raster, c, 0, image.data.subarray(c * size, (c + 1) * size), image.height);
  return raster;
}

export function tensorFromRaster(raster: Raster): ImageTensor {
  const { width, height, channels, data } = raster;
  const image = createImageTensor(channels, height, width);
  const size = width * height;
  const max = maxLevel(raster.bitDepth);
  for (let c = 0; c < channels; c++) {
    for (let i = 0, j = c, k = c * size; i < size; i++, j += channels, k++) image.data[k] = data[j] / max;
  }
  return image;
}

/** A raster as a destination for rows of [0, 1] values. */
export function rasterSink(raster: Raster) {
  return {
    width: raster.width,
    height: raster.height,
    putRows: (channel: number, top: number, values: Float32Array, rows: number) => putChannelRows(raster, channel, top, values, rows),
  };
}
