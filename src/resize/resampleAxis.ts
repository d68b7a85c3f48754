import type { Contributions } from './contributions.js';

/**
 * What happens to each weighted sum before it is stored.
 * - `quantizeMax`: round to an integer level in [0, quantizeMax], as MATLAB does for integer images
 *   (the plane then holds levels, not [0, 1] values);
 * - `finalScale`: multiply the stored value (after rounding) by this, e.g. 1/255 to return to [0, 1];
 * - `clampUnit`: clamp to [0, 1] (float results at the last pass).
 */
export interface PassOutput {
  quantizeMax?: number;
  finalScale?: number;
  clampUnit?: boolean;
}

/** Store a row of weighted sums; the mode is decided once per row, not per pixel. */
function storeRow(sums: Float64Array, dst: Float32Array, offset: number, output: PassOutput): void {
  const n = sums.length;
  const max = output.quantizeMax;
  if (max !== undefined) {
    const scale = output.finalScale ?? 1;
    for (let i = 0; i < n; i++) {
      const level = Math.round(sums[i]);
      dst[offset + i] = (level < 0 ? 0 : level > max ? max : level) * scale;
    }
  } else if (output.clampUnit) {
    for (let i = 0; i < n; i++) {
      const v = sums[i];
      dst[offset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  } else {
    for (let i = 0; i < n; i++) dst[offset + i] = sums[i];
  }
}

/**
 * Resample along the height of a row-major plane. Each output row is a weighted sum of whole input rows,
 * accumulated in float64 in tap order (the order MATLAB's resize kernel sums in, which matters for
 * rounding ties); four taps are fused per sweep to cut memory traffic without changing that order.
 */
export function resampleHeight(src: Float32Array, width: number, c: Contributions, output: PassOutput): Float32Array {
  const { outLength, taps, indices, weights } = c;
  const dst = new Float32Array(outLength * width);
  const acc = new Float64Array(width);
  for (let y = 0; y < outLength; y++) {
    acc.fill(0);
    const base = y * taps;
    let k = 0;
    for (; k + 4 <= taps; k += 4) {
      const w0 = weights[base + k], w1 = weights[base + k + 1], w2 = weights[base + k + 2], w3 = weights[base + k + 3];
      const r0 = indices[base + k] * width, r1 = indices[base + k + 1] * width;
      const r2 = indices[base + k + 2] * width, r3 = indices[base + k + 3] * width;
      for (let x = 0; x < width; x++) {
        acc[x] = acc[x] + w0 * src[r0 + x] + w1 * src[r1 + x] + w2 * src[r2 + x] + w3 * src[r3 + x];
      }
    }
    for (; k < taps; k++) {
      const w = weights[base + k];
      const row = indices[base + k] * width;
      for (let x = 0; x < width; x++) acc[x] += w * src[row + x];
    }
    storeRow(acc, dst, y * width, output);
  }
  return dst;
}

/** Resample along the width: each output pixel is a dot product over its taps, summed in tap order. */
export function resampleWidth(src: Float32Array, height: number, inWidth: number, c: Contributions, output: PassOutput): Float32Array {
  const { outLength, taps, indices, weights } = c;
  const dst = new Float32Array(height * outLength);
  const row = new Float64Array(outLength);
  for (let y = 0; y < height; y++) {
    const offset = y * inWidth;
    for (let x = 0; x < outLength; x++) {
      const base = x * taps;
      let sum = 0;
      for (let k = 0; k < taps; k++) sum += weights[base + k] * src[offset + indices[base + k]];
      row[x] = sum;
    }
    storeRow(row, dst, y * outLength, output);
  }
  return dst;
}
