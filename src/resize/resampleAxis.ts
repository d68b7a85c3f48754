import type { Contributions } from './contributions.js';

/**
 * One separable pass over a single-channel plane (row-major, `height` x `width`).
 * `quantizeMax`, when given, rounds each result to an integer in [0, quantizeMax], as MATLAB does when
 * it resizes an integer image (the plane then holds integer levels, not [0, 1] values).
 * Sums run over taps in order, in float64, like MATLAB's resize kernel.
 */
export function resampleHeight(
  src: Float64Array,
  width: number,
  c: Contributions,
  quantizeMax?: number,
): Float64Array {
  const { outLength, taps, indices, weights } = c;
  const dst = new Float64Array(outLength * width);
  const accumulator = new Float64Array(width);
  for (let y = 0; y < outLength; y++) {
    accumulator.fill(0);
    for (let k = 0; k < taps; k++) {
      const w = weights[y * taps + k];
      if (w === 0) continue;
      const row = indices[y * taps + k] * width;
      for (let x = 0; x < width; x++) accumulator[x] += w * src[row + x];
    }
    finish(accumulator, dst, y * width, quantizeMax);
  }
  return dst;
}

export function resampleWidth(
  src: Float64Array,
  height: number,
  inWidth: number,
  c: Contributions,
  quantizeMax?: number,
): Float64Array {
  const { outLength, taps, indices, weights } = c;
  const dst = new Float64Array(height * outLength);
  const row = new Float64Array(outLength);
  for (let y = 0; y < height; y++) {
    const offset = y * inWidth;
    for (let x = 0; x < outLength; x++) {
      let sum = 0;
      const base = x * taps;
      for (let k = 0; k < taps; k++) sum += weights[base + k] * src[offset + indices[base + k]];
      row[x] = sum;
    }
    finish(row, dst, y * outLength, quantizeMax);
  }
  return dst;
}

function finish(values: Float64Array, dst: Float64Array, offset: number, quantizeMax: number | undefined): void {
  if (quantizeMax === undefined) {
    dst.set(values, offset);
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]);
    dst[offset + i] = v < 0 ? 0 : v > quantizeMax ? quantizeMax : v;
  }
}
