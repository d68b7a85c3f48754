import { mse } from './mse.js';
import type { Plane } from './plane.js';

/** Peak signal-to-noise ratio in dB, 10 log10(MAX^2 / MSE) with MAX = 255; Infinity for identical images. */
export function psnr(a: Plane, b: Plane, max = 255): number {
  const error = mse(a, b);
  return error === 0 ? Infinity : 10 * Math.log10((max * max) / error);
}
