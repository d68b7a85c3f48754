import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import UPNG from 'upng-js';
import { EnhanceError } from '../errors.js';
import { tensorFromRaster, type Raster } from '../image/raster.js';
import type { ImageHeader } from '../image/readImage.js';
import type { ImageTensor } from '../image/tensor.js';

/**
 * The pixels decoded in one read of a GIF or WebP (16 Mpx: 64 MB of RGBA): frames are read in groups
 * this size, so an animation of 10,000 frames never sits in memory whole, and each read (which libvips
 * starts at the first frame, to composite) covers many small frames.
 */
const PIXELS_PER_READ = 2 ** 24;

function decodeError(error: unknown, file: string): EnhanceError {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new EnhanceError(`cannot decode: the file is truncated or corrupt (${reason})`, { file, cause: error });
}

function frameRaster(width: number, height: number, channels: number, data: Uint8Array): Raster {
  return { width, height, channels, bitDepth: 8, data };
}

/**
 * GIF and WebP frames through sharp, `pages` at a time. libvips gives each page composited, disposal
 * and blending applied, so every frame is the whole picture the viewer sees.
 */
async function* sharpFrames(input: string | Buffer, header: ImageHeader, file: string): AsyncGenerator<ImageTensor> {
  const { width, height, frames } = header;
  const pagesPerRead = Math.max(1, Math.floor(PIXELS_PER_READ / (width * height)));
  for (let page = 0; page < frames; page += pagesPerRead) {
    const pages = Math.min(pagesPerRead, frames - page);
    let decoded;
    try {
      decoded = await sharp(input, { page, pages, failOn: 'error', limitInputPixels: false }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    } catch (error) {
      throw decodeError(error, file);
    }
    const { channels } = decoded.info;
    const frameLength = width * height * channels;
    if (decoded.info.width !== width || decoded.data.length !== frameLength * pages) {
      throw new EnhanceError(`cannot decode: frames ${page + 1}-${page + pages} are not ${width}x${height} as the header says`, { file });
    }
    for (let k = 0; k < pages; k++) {
      const data = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset + k * frameLength, frameLength);
      yield tensorFromRaster(frameRaster(width, height, channels, data));
    }
  }
}

/**
 * APNG frames through upng-js, whose `toRGBA8` applies each frame's dispose and blend operations
 * (libvips reads only an APNG's default image). It decodes every frame at once, so the caller bounds
 * the frame count from the header first.
 */
async function* apngFrames(input: string | Buffer, header: ImageHeader, file: string): AsyncGenerator<ImageTensor> {
  const bytes = typeof input === 'string' ? await readFile(input) : input;
  let frames: (ArrayBuffer | undefined)[];
  let decoded: UPNG.Image;
  try {
    decoded = UPNG.decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    frames = UPNG.toRGBA8(decoded);
  } catch (error) {
    throw decodeError(error, file);
  }
  if (decoded.width !== header.width || decoded.height !== header.height || frames.length !== header.frames) {
    throw new EnhanceError(`cannot decode: its acTL chunk announces ${header.frames} frames of ${header.width}x${header.height}, but it holds ${frames.length} of ${decoded.width}x${decoded.height}`, { file });
  }
  for (let k = 0; k < frames.length; k++) {
    const data = new Uint8Array(frames[k]!);
    frames[k] = undefined; // each frame's bytes can go once it is a tensor
    yield tensorFromRaster(frameRaster(header.width, header.height, 4, data));
  }
}

/**
 * Every frame of an animated GIF, WebP or APNG as a whole picture (planar RGB or RGBA in [0, 1], 8-bit
 * sources), in order, one at a time. EXIF orientation and ICC profiles are not applied: the formats'
 * animations are sRGB pictures without orientation in practice.
 */
export function readFrames(input: string | Buffer, header: ImageHeader, file: string): AsyncGenerator<ImageTensor> {
  return header.format === 'png' ? apngFrames(input, header, file) : sharpFrames(input, header, file);
}
