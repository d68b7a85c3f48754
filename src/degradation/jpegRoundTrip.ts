import sharp from 'sharp';
import { rasterFromTensor, tensorFromRaster } from '../image/raster.js';
import type { ImageTensor } from '../image/tensor.js';

/**
 * The picture encoded as a baseline JPEG at `quality` (1-100, 4:2:0 chroma as cameras and the web
 * save it) by libjpeg through sharp, and decoded again: the blocks, ringing and colour bleeding of a
 * real codec, where Real-ESRGAN approximates it with a differentiable one.
 */
export async function jpegRoundTrip(image: ImageTensor, quality: number): Promise<ImageTensor> {
  const { channels, height, width } = image;
  if (channels !== 3 && channels !== 1) throw new RangeError(`jpegRoundTrip: takes 1 or 3 channels, got ${channels}`);
  // Clamped to [0, 1] and rounded to 8 bits on the way in, as a picture must be to be saved at all.
  const raster = rasterFromTensor(image, 8);
  const encoded = await sharp(raster.data, { raw: { width, height, channels } })
    .jpeg({ quality: Math.round(quality), chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();
  const { data, info } = await sharp(encoded).raw().toBuffer({ resolveWithObject: true });
  return tensorFromRaster({ width, height, channels: info.channels, bitDepth: 8, data });
}
