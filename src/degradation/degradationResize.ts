import type { ImageTensor } from '../image/tensor.js';
import { resizeImage } from '../resize/resizeImage.js';
import type { DegradationResizeMode } from './degradationSettings.js';

/**
 * A resize as PyTorch's `F.interpolate` does it in Real-ESRGAN's pipeline: 'bilinear' and 'bicubic'
 * (a = -0.75) without antialiasing, so shrinking aliases as a careless resize does, edges clamped;
 * 'area' averages the input pixels each output pixel covers (a box widened by the factor; nearest
 * when enlarging).
 */
export function degradationResize(image: ImageTensor, height: number, width: number, mode: DegradationResizeMode): ImageTensor {
  if (height === image.height && width === image.width) return image;
  if (mode === 'area') return resizeImage(image, { height, width, method: 'nearest', antialias: true, border: 'replicate' });
  return resizeImage(image, { height, width, method: mode, antialias: false, border: 'replicate' });
}
