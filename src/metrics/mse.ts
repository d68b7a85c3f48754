import { requireSameSize, type Plane } from './plane.js';

/** Mean squared error in the planes' units (0..255 for SR metrics), accumulated in float64. */
export function mse(a: Plane, b: Plane): number {
  requireSameSize(a, b, 'mse');
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    sum += d * d;
  }
  return sum / a.data.length;
}
