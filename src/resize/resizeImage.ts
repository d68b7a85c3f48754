import { channelPlane, createImageTensor, type ImageTensor } from '../image/tensor.js';
import { computeContributions, type BorderMode } from './contributions.js';
import { boxKernel, cubicKernel, lanczos3Kernel, triangleKernel, type ResamplingKernel } from './kernels.js';
import { resamplePlane } from './resampleWasm.js';

export const RESIZE_METHODS = ['nearest', 'bilinear', 'bicubic', 'lanczos'] as const;
export type ResizeMethod = (typeof RESIZE_METHODS)[number];

const KERNELS: Record<ResizeMethod, ResamplingKernel> = {
  nearest: boxKernel,
  bilinear: triangleKernel,
  bicubic: cubicKernel,
  lanczos: lanczos3Kernel,
};

export interface ResizeOptions {
  height: number;
  width: number;
  method: ResizeMethod;
  /**
   * Input pixels per output pixel, per axis. Defaults to in/out. MATLAB's `imresize(I, 1/s)` uses s even
   * when the size is not divisible by s (its output is then ceil(in / s)).
   */
  inputPerOutput?: number;
  /** Default 'symmetric', as MATLAB. */
  border?: BorderMode;
  /** Widen the kernel when shrinking. Default: true, except for 'nearest' (as MATLAB). */
  antialias?: boolean;
  /**
   * Resize as MATLAB resizes an integer image of this bit depth: each pass rounds to integer levels.
   * Without it the computation stays in floating point and the result is clamped to [0, 1].
   */
  quantize?: 8 | 16;
}

/**
 * Separable resampling that follows MATLAB `imresize`: the axis that shrinks most goes first (rows on
 * ties), each channel on its own.
 */
export function resizeImage(image: ImageTensor, options: ResizeOptions): ImageTensor {
  const { height, width, method } = options;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`resizeImage: output size must be positive integers, got ${height}x${width}`);
  }
  const kernel = KERNELS[method];
  const contributionOptions = {
    antialias: options.antialias ?? method !== 'nearest',
    border: options.border ?? 'symmetric',
    inputPerOutput: options.inputPerOutput,
  };
  const rows = computeContributions(image.height, height, kernel, contributionOptions);
  const columns = computeContributions(image.width, width, kernel, contributionOptions);
  const rowsFirst = height / image.height <= width / image.width;
  const max = options.quantize === 16 ? 65535 : options.quantize === 8 ? 255 : undefined;

  const out = createImageTensor(image.channels, height, width);
  for (let c = 0; c < image.channels; c++) {
    const resized = resamplePlane(channelPlane(image, c), image.height, image.width, { rows, columns, rowsFirst, quantizeMax: max });
    out.data.set(resized, c * height * width);
  }
  return out;
}
