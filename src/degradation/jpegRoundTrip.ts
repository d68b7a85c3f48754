import sharp from 'sharp';
import type { ImageTensor } from '../image/tensor.js';

/**
 * The picture encoded as a baseline JPEG at `quality` (1-100, 4:2:0 chroma as cameras and the web
 * save it) by libjpeg through sharp, and decoded again: the blocks, ringing and colour bleeding of a
 * real codec, where Real-ESRGAN approximates it with a differentiable one.
 */
export async function jpegRoundTrip(image: ImageTensor, quality: number): Promise<ImageTensor> {
  const { channels, height, width } = image;
  if (channels !== 3 && channels !== 1) throw new RangeError(`jpegRoundTrip: takes 1 or 3 channels, got ${channels}`);
  const plane = height * width;
  const interleaved = new Uint8Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < plane; i++) {
      const v = image.data[c * plane + i];
      interleaved[i * channels + c] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    }
  }
  const encoded = await sharp(interleaved, { raw: { width, height, channels } })
    .jpeg({ quality: Math.round(quality), chromaSubsampling: '4:2:0', mozjpeg: false })
    .toBuffer();
  const { data, info } = await sharp(encoded).raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) for (let i = 0; i < plane; i++) out[c * plane + i] = data[i * info.channels + c] / 255;
  return { channels, height, width, data: out };
}
