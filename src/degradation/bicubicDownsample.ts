import { modCrop, type ImageTensor } from '../image/tensor.js';
import { resizeImage } from '../resize/resizeImage.js';

export interface BicubicDownsampleOptions {
  /** Bit depth of the integer image MATLAB would see; each pass rounds to it. Default 8. */
  bitDepth?: 8 | 16;
  /**
   * Crop the HR to a multiple of the scale first (default true), as SR datasets do. Without it the
   * output is ceil(size / scale), as `imresize(I, 1/scale)` gives.
   */
  modCrop?: boolean;
}

/**
 * The SR benchmark degradation: MATLAB `imresize(HR, 1/scale, 'bicubic')` on an integer image.
 * Out-of-range taps replicate the edge pixel, which (with rows first and rounding between passes)
 * reproduces the Set5/Set14/BSD100/Urban100 LR files exactly; MATLAB's mirror padding would be off by
 * up to 8 levels at the borders (see the shared datasets README).
 */
export function bicubicDownsample(hr: ImageTensor, scale: number, options: BicubicDownsampleOptions = {}): ImageTensor {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`bicubicDownsample: scale must be a positive integer, got ${scale}`);
  const source = options.modCrop === false ? hr : modCrop(hr, scale);
  return resizeImage(source, {
    height: Math.ceil(source.height / scale),
    width: Math.ceil(source.width / scale),
    inputPerOutput: scale,
    method: 'bicubic',
    border: 'replicate',
    quantize: options.bitDepth ?? 8,
  });
}
