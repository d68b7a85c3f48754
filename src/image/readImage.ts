import { stat } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { EnhanceError } from '../errors.js';
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
}

function describe(input: string | Buffer, name?: string): string {
  return name ?? (typeof input === 'string' ? input : '<buffer>');
}

async function checkReadableFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new EnhanceError('is a folder, not an image file', { file: path });
    if (info.size === 0) throw new EnhanceError('is empty (0 bytes), not an image', { file: path });
  } catch (error) {
    if (error instanceof EnhanceError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EnhanceError('no such file', { file: path });
    if (code === 'EACCES') throw new EnhanceError('permission denied', { file: path });
    throw new EnhanceError(`cannot read (${code ?? String(error)})`, { file: path });
  }
}

/**
 * Decode an image file or buffer into a planar float tensor in [0, 1].
 * EXIF orientation is applied; gray stays gray (1 or 2 channels); 16-bit samples keep their full
 * precision; palette images become RGB(A). Truncated or corrupt files are errors, never silently
 * half-decoded pictures.
 */
export async function readImage(input: string | Buffer, options: { name?: string } = {}): Promise<DecodedImage> {
  const file = describe(input, options.name);
  if (typeof input === 'string') await checkReadableFile(input);

  let metadata: Metadata;
  try {
    metadata = await sharp(input).metadata();
  } catch (error) {
    throw new EnhanceError('not an image, or an image format we cannot read', { file, cause: error });
  }

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
  return { image, bitDepth, format: metadata.format ?? 'unknown', ...(metadata.icc && !isGray ? { icc: metadata.icc } : {}) };
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
