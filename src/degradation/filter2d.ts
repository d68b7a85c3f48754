import { createImageTensor, type ImageTensor } from '../image/tensor.js';
import { loadWasmKernels, WasmLayout } from '../io/wasmKernels.js';
import type { BlurKernel } from './blurKernels.js';

/** Index into [0, length) mirrored about the edge pixels without repeating them (PyTorch's 'reflect'). */
export function reflectIndex(index: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  const m = ((index % period) + period) % period;
  return m < length ? m : period - m;
}

/**
 * Each channel correlated with the kernel, borders mirrored ('reflect'), output the input's size:
 * BasicSR's `filter2D`. Only the kernel's own size is visited (Real-ESRGAN pads every kernel to 21x21
 * with zeros, which changes nothing but the cost), and a separable kernel (the isotropic Gaussian,
 * almost half of the draws) runs as two 1-D passes.
 */
export function filter2d(image: ImageTensor, kernel: BlurKernel): ImageTensor {
  if (kernel.size === 1) return kernel.data[0] === 1 ? image : { ...image, data: image.data.map((v) => v * kernel.data[0]) };
  const { channels, height, width } = image;
  const k = kernel.size;
  const out = createImageTensor(channels, height, width);
  const weights = Float32Array.from(kernel.separable ?? kernel.data);
  for (let c = 0; c < channels; c++) {
    const padded = reflectPadded(image.data.subarray(c * height * width, (c + 1) * height * width), height, width, (k - 1) >> 1);
    const paddedWidth = width + k - 1;
    const result = kernel.separable
      ? correlate(correlate(padded, paddedWidth, height + k - 1, width, weights, 1, k), width, height, width, weights, k, 1)
      : correlate(padded, paddedWidth, height, width, weights, k, k);
    out.data.set(result, c * height * width);
  }
  return out;
}

/** A plane with `half` mirrored pixels added on every side. */
function reflectPadded(plane: Float32Array, height: number, width: number, half: number): Float32Array {
  const paddedWidth = width + 2 * half;
  const paddedHeight = height + 2 * half;
  const padded = new Float32Array(paddedWidth * paddedHeight);
  const borderColumns = Int32Array.from({ length: 2 * half }, (_, i) => (i < half ? i : width + i));
  const borderSources = borderColumns.map((x) => reflectIndex(x - half, width));
  for (let y = 0; y < paddedHeight; y++) {
    const source = reflectIndex(y - half, height) * width;
    const row = y * paddedWidth;
    // The row's own pixels are one copy; only the mirrored margins are gathered.
    padded.set(plane.subarray(source, source + width), row + half);
    for (let i = 0; i < borderColumns.length; i++) padded[row + borderColumns[i]] = plane[source + borderSources[i]];
  }
  return padded;
}

interface FilterExports {
  correlate(padded: number, paddedWidth: number, height: number, width: number, weights: number, kh: number, kw: number, out: number): void;
}

const WASM_PATH = new URL('../../build/filter2d.wasm', import.meta.url);

/**
 * The correlation of a padded plane with a kh x kw kernel, giving height x width, in the SIMD kernel
 * of `assembly/filter2d.ts`: sixteen outputs per weight load, over ten times faster than a tap-by-tap
 * sum in JavaScript, which would have made degrading a batch as slow as the training step itself.
 */
function correlate(padded: Float32Array, paddedWidth: number, height: number, width: number, weights: Float32Array, kh: number, kw: number): Float32Array {
  const kernels = loadWasmKernels<FilterExports>(WASM_PATH);
  const layout = new WasmLayout();
  const paddedAt = layout.alloc(padded.byteLength);
  const weightsAt = layout.alloc(weights.byteLength);
  const outAt = layout.alloc(height * width * 4);
  layout.ensure(kernels.memory);
  new Float32Array(kernels.memory.buffer, paddedAt, padded.length).set(padded);
  new Float32Array(kernels.memory.buffer, weightsAt, weights.length).set(weights);
  kernels.correlate(paddedAt, paddedWidth, height, width, weightsAt, kh, kw, outAt);
  return new Float32Array(kernels.memory.buffer, outAt, height * width).slice();
}
