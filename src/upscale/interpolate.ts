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
 * Classical resizing to any size. Opaque images are resized exactly as MATLAB `imresize` resizes an
 * integer image of their bit depth (antialiased when shrinking), so `--method bicubic` here is the
 * bicubic that SR papers compare against. Images with transparency are resized premultiplied by alpha
 * (as sharp does), so colours hidden under transparent pixels cannot bleed into visible edges.
 */
export function resizeTo(image: ImageTensor, size: { width: number; height: number }, method: ResizeMethod, bitDepth: BitDepth = 8): ImageTensor {
  const options = { height: size.height, width: size.width, method };
  if (isOpaque(image)) return resizeImage(image, { ...options, quantize: bitDepth });
  return premultiply(resizeImage(premultiply(image, false), options), true);
}

/** Classical upscaling by an integer factor (see `resizeTo`). */
export function interpolate(image: ImageTensor, scale: number, method: ResizeMethod, bitDepth: BitDepth = 8): ImageTensor {
  return resizeTo(image, { height: image.height * scale, width: image.width * scale }, method, bitDepth);
}
