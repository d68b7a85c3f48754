import { gaussianKernel1d } from '../metrics/gaussianKernel.js';
import type { ImageTensor } from '../image/tensor.js';
import { filter2d } from './filter2d.js';

/** A Gaussian blur with mirrored borders, as two 1-D passes. */
function gaussianBlur(image: ImageTensor, size: number, sigma: number): ImageTensor {
  const line = gaussianKernel1d(size, sigma);
  let data = new Float64Array(size * size);
  data = data.map((_, i) => line[Math.floor(i / size)] * line[i % size]);
  return filter2d(image, { size, data, separable: line });
}

/** The sigma OpenCV derives for a Gaussian of this size when given none: 0.3 ((size - 1) / 2 - 1) + 0.8. */
const openCvSigma = (size: number) => 0.3 * ((size - 1) / 2 - 1) + 0.8;

export interface UnsharpMaskOptions {
  /** How much of the detail is added back (Real-ESRGAN 0.5). */
  weight: number;
  /** Blur radius in pixels (Real-ESRGAN 50: a 51x51 Gaussian, sigma 8.3 as OpenCV derives it). */
  radius: number;
  /** Detail below this many 8-bit levels is left alone, so flat areas and noise are not sharpened (10). */
  threshold: number;
}

/**
 * BasicSR's `usm_sharp`: sharp = x + weight (x - blur(x)), applied where the detail |x - blur(x)|
 * exceeds the threshold, through a soft mask (the thresholded mask blurred the same way), clamped to
 * [0, 1].
 */
export function unsharpMask(image: ImageTensor, options: UnsharpMaskOptions): ImageTensor {
  const size = options.radius % 2 === 0 ? options.radius + 1 : options.radius;
  const sigma = openCvSigma(size);
  const blurred = gaussianBlur(image, size, sigma);
  const residual = image.data.map((v, i) => v - blurred.data[i]);
  const mask = { ...image, data: residual.map((r) => (Math.abs(r) * 255 > options.threshold ? 1 : 0)) };
  const softMask = gaussianBlur(mask, size, sigma).data;
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    const sharp = Math.min(1, Math.max(0, image.data[i] + options.weight * residual[i]));
    out[i] = softMask[i] * sharp + (1 - softMask[i]) * image.data[i];
  }
  return { ...image, data: out };
}
