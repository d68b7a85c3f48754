/**
 * Bounds on what a model file may ask enhance to allocate, checked before anything is allocated:
 * model files come from strangers, and a few hundred crafted bytes can otherwise claim gigabytes
 * (a zip bomb, a stride-0 view, huge options). The largest SR models people use are far below them
 * (RealESRGAN_x4plus: 16.7 M parameters, 67 MB; HAT-L: 40.8 M; the biggest on OpenModelDB ~ 100 M).
 */

/** Parameters in one network: 500 M float32 values are 2 GB. */
export const MAX_PARAMETERS = 500_000_000;

/** Elements in one tensor (a 1 GiB float32 tensor). */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** Bytes of one model file or weight shard read into memory. */
export const MAX_MODEL_FILE_BYTES = 2 * 1024 ** 3;

/** Elements in a tensor of this shape, or Infinity when a dimension is not a non-negative integer. */
export function elementCount(shape: readonly unknown[]): number {
  let count = 1;
  for (const size of shape) {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) return Infinity;
    count *= size;
  }
  return count;
}
