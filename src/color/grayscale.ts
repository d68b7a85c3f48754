import type { ImageTensor } from '../image/tensor.js';

/**
 * The full-range BT.601 luma 0.299 R + 0.587 G + 0.114 B of an RGB picture as one plane (as
 * torchvision's `rgb_to_grayscale`, which Real-ESRGAN's gray noise uses); a gray picture's own plane.
 * Not the studio-range Y of `ycbcr.ts`, which SR metrics are computed on.
 */
export function grayscalePlane(image: ImageTensor): Float32Array {
  const plane = image.height * image.width;
  if (image.channels < 3) return image.data.slice(0, plane);
  const out = new Float32Array(plane);
  for (let i = 0; i < plane; i++) out[i] = 0.299 * image.data[i] + 0.587 * image.data[plane + i] + 0.114 * image.data[2 * plane + i];
  return out;
}
