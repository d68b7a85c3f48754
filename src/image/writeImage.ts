import sharp, { type Sharp } from 'sharp';
import { EnhanceError } from '../errors.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { formatFromPath, supportsAlpha, supportsSixteenBit, type OutputFormat } from './formats.js';
import type { BitDepth } from './readImage.js';
import { colorChannelCount, hasAlphaChannel, type ImageTensor } from './tensor.js';

export interface EncodeOptions {
  format: OutputFormat;
  /** Bits per sample to write; formats that hold only 8 bits get 8. Default 8. */
  bitDepth?: BitDepth;
  /** Lossy quality for jpg/webp/avif, 1-100. Default 95 (jpg, webp), 80 (avif). */
  quality?: number;
}

function planarToInterleaved(image: ImageTensor, bitDepth: BitDepth): Uint8Array | Uint16Array {
  const { channels, height, width, data } = image;
  const size = height * width;
  const max = bitDepth === 16 ? 65535 : 255;
  const out = bitDepth === 16 ? new Uint16Array(size * channels) : new Uint8Array(size * channels);
  for (let c = 0; c < channels; c++) {
    for (let i = 0, j = c, k = c * size; i < size; i++, j += channels, k++) {
      const v = data[k];
      out[j] = v <= 0 ? 0 : v >= 1 ? max : Math.round(v * max);
    }
  }
  return out;
}

/** The sharp pipeline that turns a tensor into an encoded image of the requested format. */
function encoderFor(image: ImageTensor, options: EncodeOptions): Sharp {
  const bitDepth: BitDepth = options.bitDepth === 16 && supportsSixteenBit(options.format) ? 16 : 8;
  const samples = planarToInterleaved(image, bitDepth);
  const gray = colorChannelCount(image) === 1;
  let pipeline = sharp(samples, {
    raw: { width: image.width, height: image.height, channels: image.channels as 1 | 2 | 3 | 4 },
  });
  // Without an explicit colourspace sharp writes gray as RGB and 16-bit as 8-bit.
  pipeline = pipeline.toColourspace(gray ? (bitDepth === 16 ? 'grey16' : 'b-w') : bitDepth === 16 ? 'rgb16' : 'srgb');
  if (hasAlphaChannel(image) && !supportsAlpha(options.format)) pipeline = pipeline.flatten({ background: '#ffffff' });
  switch (options.format) {
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
    case 'jpg':
      return pipeline.jpeg({ quality: options.quality ?? 95, chromaSubsampling: '4:4:4' });
    case 'webp':
      return pipeline.webp({ quality: options.quality ?? 95 });
    case 'tiff':
      return pipeline.tiff({ compression: 'deflate' });
    case 'avif':
      return pipeline.avif({ quality: options.quality ?? 80 });
  }
}

export async function encodeImage(image: ImageTensor, options: EncodeOptions): Promise<Buffer> {
  return encoderFor(image, options).toBuffer();
}

/**
 * Write an image atomically (temporary name, then rename): an interrupted or failed write leaves no
 * partial file. The format comes from `options.format` or else the path's extension.
 */
export async function writeImage(path: string, image: ImageTensor, options: Partial<EncodeOptions> = {}): Promise<void> {
  const format = options.format ?? formatFromPath(path);
  if (!format) {
    throw new EnhanceError('unknown output format: use a .png, .jpg, .webp, .tif or .avif extension', { file: path });
  }
  await writeFileAtomic(path, async (temporary) => {
    await encoderFor(image, { ...options, format }).toFile(temporary);
  });
}
