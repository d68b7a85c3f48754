import { open } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import type { AnimationTiming } from '../animation/animatedRaster.js';
import { readApngTiming, type ByteReader } from '../animation/apngChunks.js';
import { EnhanceError } from '../errors.js';
import { checkRegularFile } from '../io/fileChecks.js';
import { createImageTensor, type ImageTensor } from './tensor.js';

export type BitDepth = 8 | 16;

/** A decoded picture and what we need to write it back the way it came. */
export interface DecodedImage {
  readonly image: ImageTensor;
  /** 16 when the file stores 16 bits per sample (PNG/TIFF), else 8. */
  readonly bitDepth: BitDepth;
  /** The container format sharp detected, e.g. 'png', 'jpeg'. */
  readonly format: string;
  /** The embedded ICC profile, if any (pixels are converted to sRGB on decoding; writers convert back). */
  readonly icc?: Buffer;
  /** Frames of an animated picture (GIF, WebP, APNG); only the first is decoded (src/animation/ reads them all). */
  readonly frames: number;
}

/** What a picture's header says, read before any pixel is decoded. */
export interface ImageHeader {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
  readonly format: string;
  /** The delays and play count of an animated picture (more than one frame). */
  readonly timing?: AnimationTiming;
}

/** sharp's own default limit (0x3FFF squared): larger pictures are refused before decoding. */
export const MAX_INPUT_PIXELS = 0x3fff * 0x3fff;

function describe(input: string | Buffer, name?: string): string {
  return name ?? (typeof input === 'string' ? input : '<buffer>');
}

async function checkReadableFile(path: string): Promise<void> {
  const size = await checkRegularFile(path, 'image file');
  if (size === 0) throw new EnhanceError('is empty (0 bytes), not an image', { file: path });
}

/** Reads parts of a file or buffer, for the chunk headers of a PNG. */
async function withByteReader<T>(input: string | Buffer, use: (read: ByteReader) => Promise<T>): Promise<T> {
  if (typeof input !== 'string') return use(async (position, length) => input.subarray(position, position + length));
  const handle = await open(input, 'r');
  try {
    return await use(async (position, length) => {
      const bytes = Buffer.alloc(length);
      const { bytesRead } = await handle.read(bytes, 0, length, position);
      return bytes.subarray(0, bytesRead);
    });
  } finally {
    await handle.close();
  }
}

/** The frames and timing of an animation from sharp's header (GIF, WebP) or the APNG control chunks (sharp reads an APNG's first frame only). */
async function animationOf(input: string | Buffer, metadata: Metadata): Promise<{ frames: number; timing?: AnimationTiming }> {
  if (metadata.format === 'png') {
    const apng = await withByteReader(input, readApngTiming);
    return apng && apng.frames > 1 ? { frames: apng.frames, timing: { delays: apng.delays, loop: apng.loop } } : { frames: 1 };
  }
  const frames = metadata.pages ?? 1;
  if (frames <= 1) return { frames: 1 };
  // A GIF frame without a delay is shown for 100 ms by browsers.
  const delays = Array.from({ length: frames }, (_, k) => metadata.delay?.[k] ?? 100);
  return { frames, timing: { delays, loop: metadata.loop ?? 0 } };
}

/**
 * What a picture's header says (size after EXIF orientation, frames, timing), refused with one line when
 * it is not an image we read or has more pixels a frame than enhance reads; no pixel is decoded.
 */
export async function readImageHeader(input: string | Buffer, options: { name?: string } = {}): Promise<{ header: ImageHeader; metadata: Metadata }> {
  const file = describe(input, options.name);
  if (typeof input === 'string') await checkReadableFile(input);

  let metadata: Metadata;
  try {
    // The header only: sharp's pixel limit is checked here, with a message that says so.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new EnhanceError('not an image, or an image format we cannot read', { file, cause: error });
  }
  // EXIF orientations 5-8 turn the picture a quarter: the decoded picture's width is the stored height.
  const turned = (metadata.orientation ?? 1) >= 5;
  const [storedWidth, storedHeight] = [metadata.width ?? 0, metadata.pageHeight ?? metadata.height ?? 0];
  const header: ImageHeader = {
    width: turned ? storedHeight : storedWidth,
    height: turned ? storedWidth : storedHeight,
    ...(await animationOf(input, metadata)),
    format: metadata.format ?? 'unknown',
  };
  if (header.width * header.height > MAX_INPUT_PIXELS) {
    const megapixels = (n: number) => `${Math.round(n / 1e6)} Mpx`;
    throw new EnhanceError(`is ${header.width}x${header.height} pixels (${megapixels(header.width * header.height)}), more than enhance reads (${megapixels(MAX_INPUT_PIXELS)})`, { file });
  }
  return { header, metadata };
}

/**
 * Decode an image file or buffer into a planar float tensor in [0, 1]: the first frame of an animation.
 * EXIF orientation is applied; gray stays gray (1 or 2 channels); 16-bit samples keep their full
 * precision; palette images become RGB(A). Truncated or corrupt files are errors, never silently
 * half-decoded pictures.
 */
export async function readImage(
  input: string | Buffer,
  options: { name?: string; /** Throws to refuse the picture before its pixels are decoded. */ checkHeader?: (header: ImageHeader) => void | Promise<void> } = {},
): Promise<DecodedImage> {
  const file = describe(input, options.name);
  const { header, metadata } = await readImageHeader(input, options);
  await options.checkHeader?.(header);

  const bitDepth: BitDepth = metadata.depth === 'ushort' ? 16 : 8;
  // Gray files are decoded as sRGB (sharp copies the gray value into R, G and B exactly) and reduced
  // back to one channel: asking sharp for 'b-w' directly would drop a gray image's alpha channel.
  const isGray = metadata.space === 'b-w' || metadata.space === 'grey16' || (metadata.channels ?? 3) <= 2;

  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(input, { failOn: 'error' })
      .rotate()
      .toColourspace(bitDepth === 16 ? 'rgb16' : 'srgb')
      .raw({ depth: bitDepth === 16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new EnhanceError(`cannot decode: the file is truncated or corrupt (${reason})`, { file, cause: error });
  }

  const { width, height, channels: decodedChannels } = decoded.info;
  const samples =
    bitDepth === 16
      ? new Uint16Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length / 2)
      : new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length);
  const hasAlpha = decodedChannels === 4;
  const sourceChannels = isGray ? (hasAlpha ? [0, 3] : [0]) : hasAlpha ? [0, 1, 2, 3] : [0, 1, 2];
  const image = interleavedToPlanar(samples, decodedChannels, sourceChannels, height, width, bitDepth === 16 ? 65535 : 255);
  return { image, bitDepth, format: header.format, frames: header.frames, ...(metadata.icc && !isGray ? { icc: metadata.icc } : {}) };
}

function interleavedToPlanar(
  samples: Uint8Array | Uint16Array,
  stride: number,
  sourceChannels: readonly number[],
  height: number,
  width: number,
  max: number,
): ImageTensor {
  const image = createImageTensor(sourceChannels.length, height, width);
  const size = height * width;
  sourceChannels.forEach((source, c) => {
    const plane = image.data.subarray(c * size, (c + 1) * size);
    for (let i = 0, j = source; i < size; i++, j += stride) plane[i] = samples[j] / max;
  });
  return image;
}
