import { requireSameSize, type Plane } from './plane.js';

/**
 * MATLAB `fspecial('log', size, sigma)`: a Laplacian of Gaussian whose coefficients sum to zero.
 * Returned row-major, size x size.
 */
export function laplacianOfGaussian(size: number, sigma: number): Float64Array {
  const kernel = new Float64Array(size * size);
  const centre = (size - 1) / 2;
  let gaussianSum = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r2 = (x - centre) ** 2 + (y - centre) ** 2;
      kernel[y * size + x] = Math.exp(-r2 / (2 * sigma * sigma));
      gaussianSum += kernel[y * size + x];
    }
  }
  let sum = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r2 = (x - centre) ** 2 + (y - centre) ** 2;
      const v = ((kernel[y * size + x] / gaussianSum) * (r2 - 2 * sigma * sigma)) / sigma ** 4;
      kernel[y * size + x] = v;
      sum += v;
    }
  }
  const mean = sum / (size * size);
  for (let i = 0; i < kernel.length; i++) kernel[i] -= mean;
  return kernel;
}

/** Extend a plane by `pad` pixels on every side, mirroring with the edge repeated (MATLAB 'symmetric'). */
function padSymmetric(plane: Plane, pad: number): Plane {
  const { height, width } = plane;
  const mirror = (i: number, n: number) => {
    const period = 2 * n;
    const m = ((i % period) + period) % period;
    return m < n ? m : period - 1 - m;
  };
  const outWidth = width + 2 * pad;
  const outHeight = height + 2 * pad;
  const data = new Float64Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const sy = mirror(y - pad, height) * width;
    for (let x = 0; x < outWidth; x++) data[y * outWidth + x] = plane.data[sy + mirror(x - pad, width)];
  }
  return { height: outHeight, width: outWidth, data };
}

/** Correlate with a square kernel, symmetric border, output the same size as the input. */
function filterSame(plane: Plane, kernel: Float64Array, size: number): Float64Array {
  const pad = (size - 1) / 2;
  const padded = padSymmetric(plane, pad);
  const out = new Float64Array(plane.height * plane.width);
  for (let y = 0; y < plane.height; y++) {
    for (let x = 0; x < plane.width; x++) {
      let sum = 0;
      for (let ky = 0; ky < size; ky++) {
        const row = (y + ky) * padded.width + x;
        for (let kx = 0; kx < size; kx++) sum += kernel[ky * size + kx] * padded.data[row + kx];
      }
      out[y * plane.width + x] = sum;
    }
  }
  return out;
}

const LOG_SIZE = 15;
const LOG_KERNEL = laplacianOfGaussian(LOG_SIZE, 1.5);

/**
 * High-frequency error norm (Ravishankar & Bresler, IEEE TMI 2011): ||LoG(a) - LoG(b)|| / ||LoG(b)||
 * with a 15x15 Laplacian of Gaussian, sigma 1.5, symmetric border. `b` is the reference. Lower is better.
 */
export function hfen(a: Plane, reference: Plane): number {
  requireSameSize(a, reference, 'hfen');
  const la = filterSame(a, LOG_KERNEL, LOG_SIZE);
  const lb = filterSame(reference, LOG_KERNEL, LOG_SIZE);
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < la.length; i++) {
    difference += (la[i] - lb[i]) ** 2;
    norm += lb[i] ** 2;
  }
  return norm === 0 ? (difference === 0 ? 0 : Infinity) : Math.sqrt(difference / norm);
}
