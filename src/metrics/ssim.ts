import { requireSameSize, type Plane } from './plane.js';
import { filterValid, gaussianKernel1d } from './separableFilter.js';

const WINDOW = gaussianKernel1d(11, 1.5);

/**
 * Structural similarity (Wang et al. 2004) as BasicSR's `calculate_ssim` and the original MATLAB
 * `ssim_index`: 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, L = 255, 'valid' filtering,
 * the mean of the SSIM map. Inputs in 0..255.
 */
export function ssim(a: Plane, b: Plane): number {
  requireSameSize(a, b, 'ssim');
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const n = a.data.length;
  const products = (f: (x: number, y: number) => number): Plane => {
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = f(a.data[i], b.data[i]);
    return { height: a.height, width: a.width, data };
  };
  const blur = (p: Plane) => filterValid(p, WINDOW, WINDOW).data;
  const muA = blur(a);
  const muB = blur(b);
  const aa = blur(products((x) => x * x));
  const bb = blur(products((_, y) => y * y));
  const ab = blur(products((x, y) => x * y));
  let sum = 0;
  for (let i = 0; i < muA.length; i++) {
    const ma = muA[i];
    const mb = muB[i];
    const varA = aa[i] - ma * ma;
    const varB = bb[i] - mb * mb;
    const cov = ab[i] - ma * mb;
    sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (varA + varB + c2));
  }
  return sum / muA.length;
}
