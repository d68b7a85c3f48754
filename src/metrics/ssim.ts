import { requireSameSize, type Plane } from './plane.js';
import { gaussianKernel1d } from './gaussianKernel.js';

const WINDOW_SIZE = 11;
const WINDOW = gaussianKernel1d(WINDOW_SIZE, 1.5);

/**
 * Structural similarity (Wang et al. 2004) as BasicSR's `calculate_ssim` and the original MATLAB
 * `ssim_index`: 11x11 Gaussian window (sigma 1.5), K1 = 0.01, K2 = 0.03, L = 255, 'valid' filtering,
 * the mean of the SSIM map. Inputs in 0..255.
 *
 * The five local statistics (means, second moments, cross moment) are filtered separably in one sweep:
 * for each output row, vertical sums over 11 rows, then horizontal sums, so nothing bigger than a row
 * is allocated.
 */
export function ssim(a: Plane, b: Plane): number {
  requireSameSize(a, b, 'ssim');
  const { height, width } = a;
  const outHeight = height - WINDOW_SIZE + 1;
  const outWidth = width - WINDOW_SIZE + 1;
  if (outHeight < 1 || outWidth < 1) throw new RangeError(`ssim: images of ${height}x${width} are smaller than the 11x11 window`);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  const va = new Float64Array(width);
  const vb = new Float64Array(width);
  const vaa = new Float64Array(width);
  const vbb = new Float64Array(width);
  const vab = new Float64Array(width);
  let total = 0;
  for (let y = 0; y < outHeight; y++) {
    va.fill(0); vb.fill(0); vaa.fill(0); vbb.fill(0); vab.fill(0);
    for (let k = 0; k < WINDOW_SIZE; k++) {
      const w = WINDOW[k];
      const row = (y + k) * width;
      for (let x = 0; x < width; x++) {
        const p = a.data[row + x];
        const q = b.data[row + x];
        va[x] += w * p;
        vb[x] += w * q;
        vaa[x] += w * p * p;
        vbb[x] += w * q * q;
        vab[x] += w * p * q;
      }
    }
    for (let x = 0; x < outWidth; x++) {
      let ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
      for (let k = 0; k < WINDOW_SIZE; k++) {
        const w = WINDOW[k];
        ma += w * va[x + k];
        mb += w * vb[x + k];
        maa += w * vaa[x + k];
        mbb += w * vbb[x + k];
        mab += w * vab[x + k];
      }
      const varA = maa - ma * ma;
      const varB = mbb - mb * mb;
      const cov = mab - ma * mb;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (varA + varB + c2));
    }
  }
  return total / (outHeight * outWidth);
}
