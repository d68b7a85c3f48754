import { besselJ1 } from './besselJ1.js';

/** A square, odd-sized, normalised filter kernel, row-major. */
export interface BlurKernel {
  readonly size: number;
  readonly data: Float64Array;
  /** When the kernel is the outer product of this 1-D kernel with itself (filtered in two passes). */
  readonly separable?: Float64Array;
}

/** The shape of a bivariate kernel: the spread along its two axes and the rotation of the first. */
export interface KernelShape {
  sigmaX: number;
  sigmaY: number;
  /** Radians, counter-clockwise. */
  rotation: number;
}

/**
 * The quadratic form x^T Sigma^-1 x on the kernel's grid (centred, integer offsets), with
 * Sigma = R diag(sigmaX^2, sigmaY^2) R^T: every bivariate kernel of Real-ESRGAN is a function of it.
 */
function mahalanobisGrid(size: number, shape: KernelShape): Float64Array {
  const cos = Math.cos(shape.rotation);
  const sin = Math.sin(shape.rotation);
  const a = 1 / (shape.sigmaX * shape.sigmaX);
  const b = 1 / (shape.sigmaY * shape.sigmaY);
  // Sigma^-1 = R diag(a, b) R^T.
  const i00 = a * cos * cos + b * sin * sin;
  const i01 = (a - b) * cos * sin;
  const i11 = a * sin * sin + b * cos * cos;
  const half = (size - 1) / 2;
  const out = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    const y = row - half;
    for (let col = 0; col < size; col++) {
      const x = col - half;
      out[row * size + col] = i00 * x * x + 2 * i01 * x * y + i11 * y * y;
    }
  }
  return out;
}

function normalised(size: number, data: Float64Array): BlurKernel {
  let sum = 0;
  for (const v of data) sum += v;
  for (let i = 0; i < data.length; i++) data[i] /= sum;
  return { size, data };
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new RangeError(`blur kernel: size must be a positive odd integer, got ${size}`);
}

/** The bivariate Gaussian exp(-q/2), isotropic when sigmaX = sigmaY. */
export function gaussianKernel(size: number, shape: KernelShape): BlurKernel {
  checkSize(size);
  const kernel = normalised(size, mahalanobisGrid(size, shape).map((q) => Math.exp(-0.5 * q)));
  if (shape.sigmaX !== shape.sigmaY) return kernel;
  // Isotropic: exp(-(x^2 + y^2) / 2 sigma^2) = g(x) g(y), whatever the rotation.
  const half = (size - 1) / 2;
  const line = Float64Array.from({ length: size }, (_, i) => Math.exp(-0.5 * ((i - half) / shape.sigmaX) ** 2));
  const sum = line.reduce((a, b) => a + b, 0);
  return { ...kernel, separable: line.map((v) => v / sum) };
}

/** The generalized Gaussian exp(-0.5 q^beta), as Real-ESRGAN writes it: beta 1 is the Gaussian, below 1 heavier tails, above 1 a flatter top. */
export function generalizedGaussianKernel(size: number, shape: KernelShape, beta: number): BlurKernel {
  checkSize(size);
  return normalised(size, mahalanobisGrid(size, shape).map((q) => Math.exp(-0.5 * Math.pow(q, beta))));
}

/** The plateau kernel 1 / (1 + q^beta): a flat top that falls off slowly. */
export function plateauKernel(size: number, shape: KernelShape, beta: number): BlurKernel {
  checkSize(size);
  return normalised(size, mahalanobisGrid(size, shape).map((q) => 1 / (1 + Math.pow(q, beta))));
}

/**
 * The circular low-pass filter of cutoff `omega` (radians per pixel): the 2-D inverse transform of a
 * disc of radius omega, omega J1(omega r) / (2 pi r), with its limit omega^2 / (4 pi) at the centre.
 * It rings like the overshoot of a sharpened or badly resampled picture.
 */
export function circularLowpassKernel(size: number, omega: number): BlurKernel {
  checkSize(size);
  const half = (size - 1) / 2;
  const data = new Float64Array(size * size);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const r = Math.hypot(row - half, col - half);
      data[row * size + col] = r === 0 ? (omega * omega) / (4 * Math.PI) : (omega * besselJ1(omega * r)) / (2 * Math.PI * r);
    }
  }
  return normalised(size, data);
}

/** The identity filter. */
export function unitPulse(): BlurKernel {
  return { size: 1, data: Float64Array.of(1) };
}
