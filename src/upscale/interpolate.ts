import { channelPlane, createImageTensor, hasAlphaChannel, type ImageTensor } from '../image/tensor.js';
import type { BitDepth } from '../image/readImage.js';
import { resizeImage, type ResizeMethod } from '../resize/resizeImage.js';

function isOpaque(image: ImageTensor): boolean {
  if (!hasAlphaChannel(image)) return true;
  return channelPlane(image, image.channels - 1).every((a) => a >= 1);
}

/** Multiply (or, with `inverse`, divide) the colour channels by alpha; alpha itself is unchanged. */
function premultiply(image: ImageTensor, inverse: boolean): ImageTensor {
  const out = createImageTensor(image.channels, image.height, image.width, image.data.slice());
  const alpha = channelPlane(image, image.channels - 1);
  for (let c = 0; c < image.channels - 1; c++) {
    const plane = channelPlane(out, c);
    for (let i = 0; i < plane.length; i++) {
      if (!inverse) plane[i] *= alpha[i];
      else plane[i] = alpha[i] > 0 ? Math.min(1, plane[i] / alpha[i]) : 0;
    }
  }
  return out;
}

/**
 * Classical upscaling by an integer factor. Opaque images are resized exactly as MATLAB `imresize`
 * resizes an integer image of their bit depth, so `--method bicubic` here is the bicubic that SR papers
 * compare against. Images with transparency are resized premultiplied by alpha (as sharp does), so
 * colours hidden under transparent pixels cannot bleed into visible edges.
 */
export function interpolate(image: ImageTensor, scale: number, method: ResizeMethod, bitDepth: BitDepth = 8): ImageTensor {
  const size = { height: image.height * scale, width: image.width * scale, method };
  if (isOpaque(image)) return resizeImage(image, { ...size, quantize: bitDepth });
  return premultiply(resizeImage(premultiply(image, false), size), true);
}
