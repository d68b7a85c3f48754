import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { AnimationTiming } from '../animation/animatedRaster.js';
import { EnhanceError } from '../errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { formatFromPath, supportsAlpha, supportsSixteenBit, type OutputFormat } from './formats.js';
import { rasterFromTensor, type Raster } from './raster.js';
import type { BitDepth } from './readImage.js';
import type { ImageTensor } from './tensor.js';

export interface EncodeOptions {
  format: OutputFormat;
  /** Bits per sample to write; formats that hold only 8 bits get 8. Default 8. */
  bitDepth?: BitDepth;
  /** Lossy quality for jpg/webp/avif, 1-100. Default 95 (jpg, webp), 80 (avif). */
  quality?: number;
  /**
   * The input's ICC profile. Pixels are sRGB inside the library (sharp converts on decoding); with a
   * profile they are converted back to it and the profile is embedded, so the output keeps the
   * input's colour space.
   */
  icc?: Buffer;
  /** WebP only: lossless (VP8L) instead of lossy at `quality`. */
  lossless?: boolean;
  /**
   * GIF and WebP only: the raster is an animation's frames stacked top to bottom, each `frameHeight`
   * rows, played with this timing (see src/animation/animatedRaster.ts).
   */
  animation?: AnimationTiming & { frameHeight: number };
}

/** sharp's limits for delays and plays: 16-bit integers. */
const sixteenBits = (n: number) => Math.min(0xffff, Math.max(0, Math.round(n)));

function timingOptions(animation: EncodeOptions['animation']): { delay?: number[]; loop?: number } {
  return animation ? { delay: animation.delays.map(sixteenBits), loop: sixteenBits(animation.loop) } : {};
}

/** 16-bit samples for a 16-bit format, else 8-bit: the raster's samples reduced if needed. */
function samplesFor(raster: Raster, format: OutputFormat): { data: Uint8Array | Uint16Array; sixteen: boolean } {
  if (raster.bitDepth === 8 || supportsSixteenBit(format)) return { data: raster.data, sixteen: raster.bitDepth === 16 };
  const data = new Uint8Array(raster.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(raster.data[i] / 257);
  return { data, sixteen: false };
}

/** Run `encode` with the profile in a temporary file (sharp takes profiles by path only). */
async function withProfileFile<T>(icc: Buffer | undefined, encode: (profilePath?: string) => Promise<T>): Promise<T> {
  if (!icc) return encode();
  const path = join(tmpdir(), `enhance-${process.pid}-${Math.random().toString(36).slice(2)}.icc`);
  await writeFile(path, icc);
  try {
    return await encode(path);
  } finally {
    await rm(path, { force: true });
  }
}

/** The sharp pipeline that turns a raster into an encoded image of the requested format. */
function encoderFor(raster: Raster, options: EncodeOptions, profilePath?: string): Sharp {
  const { data, sixteen } = samplesFor(raster, options.format);
  const gray = raster.channels <= 2;
  let pipeline = sharp(data, {
    raw: { width: raster.width, height: raster.height, channels: raster.channels as 1 | 2 | 3 | 4, pageHeight: options.animation?.frameHeight },
    limitInputPixels: false,
  });
  // Without an explicit colourspace sharp writes gray as RGB and 16-bit as 8-bit.
  pipeline = pipeline.toColourspace(gray ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');
  if (profilePath && !gray) pipeline = pipeline.withIccProfile(profilePath);
  const alpha = raster.channels === 2 || raster.channels === 4;
  if (alpha && !supportsAlpha(options.format)) pipeline = pipeline.flatten({ background: '#ffffff' });
  switch (options.format) {
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
    case 'jpg':
      return pipeline.jpeg({ quality: options.quality ?? 95, chromaSubsampling: '4:4:4' });
    case 'webp':
      return pipeline.webp({ quality: options.quality ?? 95, lossless: options.lossless ?? false, ...timingOptions(options.animation) });
    case 'gif':
      // Identical frames stay separate, so an animation keeps its frame count and each frame its delay.
      return pipeline.gif({ keepDuplicateFrames: true, ...timingOptions(options.animation) });
    case 'tiff':
      return pipeline.tiff({ compression: 'deflate' });
    case 'avif':
      return pipeline.avif({ quality: options.quality ?? 80 });
  }
}

export async function encodeRaster(raster: Raster, options: EncodeOptions): Promise<Buffer> {
  return withProfileFile(options.icc, (profile) => encoderFor(raster, options, profile).toBuffer());
}

export async function encodeImage(image: ImageTensor, options: EncodeOptions): Promise<Buffer> {
  return encodeRaster(rasterFromTensor(image, options.bitDepth === 16 && supportsSixteenBit(options.format) ? 16 : 8), options);
}

/** Explain a failed write in one line (full disk, permissions) instead of libvips' text. */
export function describeWriteError(error: unknown, path: string): EnhanceError {
  const code = (error as NodeJS.ErrnoException).code;
  const text = error instanceof Error ? error.message : String(error);
  if (code === 'ENOSPC' || /no space left/i.test(text)) return new EnhanceError('cannot write: the disk is full (nothing was written)', { file: path, cause: error });
  if (code === 'EACCES' || code === 'EPERM' || /permission denied/i.test(text)) return new EnhanceError('cannot write: permission denied', { file: path, cause: error });
  if (code === 'ENOENT' || code === 'ENOTDIR') return new EnhanceError('cannot write: the folder does not exist', { file: path, cause: error });
  if (code === 'EROFS' || /read-only/i.test(text)) return new EnhanceError('cannot write: read-only file system', { file: path, cause: error });
  return new EnhanceError(`cannot write (${text.split('\n')[0]})`, { file: path, cause: error });
}

/**
 * Write a raster atomically (temporary name, then rename): an interrupted or failed write leaves no
 * partial file. The format comes from `options.format` or else the path's extension.
 */
export async function writeRaster(path: string, raster: Raster, options: Partial<EncodeOptions> = {}): Promise<void> {
  const format = options.format ?? formatFromPath(path);
  if (!format) {
    throw new EnhanceError('unknown output format: use a .png, .jpg, .webp, .gif, .tif or .avif extension', { file: path });
  }
  try {
    await writeFileAtomic(path, (temporary) =>
      withProfileFile(options.icc, async (profile) => {
        await encoderFor(raster, { ...options, format }, profile).toFile(temporary);
      }),
    );
  } catch (error) {
    if (error instanceof EnhanceError) throw error;
    throw describeWriteError(error, path);
  }
}

/** Write a tensor atomically; see `writeRaster`. */
export async function writeImage(path: string, image: ImageTensor, options: Partial<EncodeOptions> = {}): Promise<void> {
  const format = options.format ?? formatFromPath(path);
  const sixteen = options.bitDepth === 16 && (format === undefined || supportsSixteenBit(format));
  await writeRaster(path, rasterFromTensor(image, sixteen ? 16 : 8), options);
}
