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
  const start = top * width * channels + channel;
  // One loop per array type: a loop that sees both stays polymorphic, at a third of the speed.
  if (data instanceof Uint8Array) quantizeInto8(data, start, channels, values, rows * width);
  else quantizeInto16(data, start, channels, values, rows * width);
}

function quantizeInto8(data: Uint8Array, start: number, stride: number, values: Float32Array, count: number): void {
  for (let i = 0, j = start; i < count; i++, j += stride) {
    const v = values[i];
    // (x + 0.5) | 0 is Math.round for x >= 0, without the call.
    data[j] = v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
  }
}

function quantizeInto16(data: Uint16Array, start: number, stride: number, values: Float32Array, count: number): void {
  for (let i = 0, j = start; i < count; i++, j += stride) {
    const v = values[i];
    data[j] = v <= 0 ? 0 : v >= 1 ? 65535 : (v * 65535 + 0.5) | 0;
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
