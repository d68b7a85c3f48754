import type { Plane } from './plane.js';

/**
 * Correlate a plane with the outer product of two 1-D kernels (vertical, then horizontal), keeping only
 * positions where the kernel fits entirely ('valid', as MATLAB `filter2(..., 'valid')`).
 */
export function filterValid(plane: Plane, vertical: Float64Array, horizontal: Float64Array): Plane {
  const kh = vertical.length;
  const kw = horizontal.length;
  const midHeight = plane.height - kh + 1;
  const outWidth = plane.width - kw + 1;
  if (midHeight < 1 || outWidth < 1) {
    throw new RangeError(`filterValid: a ${kh}x${kw} kernel does not fit a ${plane.height}x${plane.width} image`);
  }
  const src = plane.data;
  const width = plane.width;
  const mid = new Float64Array(midHeight * width);
  for (let y = 0; y < midHeight; y++) {
    const row = y * width;
    for (let k = 0; k < kh; k++) {
      const w = vertical[k];
      const from = (y + k) * width;
      for (let x = 0; x < width; x++) mid[row + x] += w * src[from + x];
    }
  }
  const out = new Float64Array(midHeight * outWidth);
  for (let y = 0; y < midHeight; y++) {
    const from = y * width;
    const to = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (let k = 0; k < kw; k++) sum += horizontal[k] * mid[from + x + k];
      out[to + x] = sum;
    }
  }
  return { height: midHeight, width: outWidth, data: out };
}

/** Extend a plane by `pad` pixels on every side, mirroring with the edge repeated (MATLAB 'symmetric'). */
export function padSymmetric(plane: Plane, pad: number): Plane {
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

/** The normalised 1-D Gaussian of OpenCV's `getGaussianKernel(size, sigma)`. */
export function gaussianKernel1d(size: number, sigma: number): Float64Array {
  const kernel = new Float64Array(size);
  const centre = (size - 1) / 2;
  let sum = 0;
  for (let i = 0; i < size; i++) {
    kernel[i] = Math.exp(-((i - centre) ** 2) / (2 * sigma * sigma));
    sum += kernel[i];
  }
  for (let i = 0; i < size; i++) kernel[i] /= sum;
  return kernel;
}
