import type { ResamplingKernel } from './kernels.js';

/** How out-of-range taps are read: MATLAB imresize mirrors ('symmetric'); 'replicate' clamps to the edge. */
export type BorderMode = 'symmetric' | 'replicate';

/**
 * For each output position along one axis, the input positions it reads and their weights, `taps` per
 * output, flattened row-major. Following MATLAB `imresize`'s `contributions`: output pixel x (1-based)
 * is centred at u = x * s + 0.5 * (1 - s) in input coordinates, where s = input pixels per output
 * pixel; when shrinking with antialiasing the kernel is stretched by s; weights are normalised to 1.
 */
export interface Contributions {
  readonly outLength: number;
  readonly taps: number;
  readonly indices: Int32Array;
  readonly weights: Float64Array;
}

export interface ContributionOptions {
  /** Input pixels per output pixel. Defaults to inLength / outLength; MATLAB's imresize(I, 1/s) uses s. */
  inputPerOutput?: number;
  antialias: boolean;
  border: BorderMode;
}

function borderIndex(index: number, length: number, border: BorderMode): number {
  if (index >= 0 && index < length) return index;
  if (border === 'replicate') return index < 0 ? 0 : length - 1;
  // MATLAB: aux = [1:n, n:-1:1]; index = aux(mod(index - 1, 2n) + 1), here 0-based.
  const period = 2 * length;
  const m = ((index % period) + period) % period;
  return m < length ? m : period - 1 - m;
}

export function computeContributions(
  inLength: number,
  outLength: number,
  kernel: ResamplingKernel,
  options: ContributionOptions,
): Contributions {
  const s = options.inputPerOutput ?? inLength / outLength;
  const stretch = options.antialias && s > 1;
  const width = stretch ? kernel.width * s : kernel.width;
  const weightAt = stretch ? (d: number) => kernel.weight(d / s) / s : kernel.weight;
  const span = Math.ceil(width) + 2;

  const rawIndices = new Int32Array(outLength * span);
  const rawWeights = new Float64Array(outLength * span);
  for (let x = 0; x < outLength; x++) {
    const u = (x + 1) * s + 0.5 * (1 - s);
    const left = Math.floor(u - width / 2);
    let sum = 0;
    for (let k = 0; k < span; k++) {
      const w = weightAt(u - (left + k));
      rawWeights[x * span + k] = w;
      sum += w;
    }
    for (let k = 0; k < span; k++) {
      rawWeights[x * span + k] /= sum;
      rawIndices[x * span + k] = borderIndex(left + k - 1, inLength, options.border);
    }
  }
  return dropZeroColumns(outLength, span, rawIndices, rawWeights);
}

/** MATLAB drops tap columns whose weight is zero for every output; the result is the same, only faster. */
function dropZeroColumns(outLength: number, span: number, indices: Int32Array, weights: Float64Array): Contributions {
  const used = (k: number) => {
    for (let x = 0; x < outLength; x++) if (weights[x * span + k] !== 0) return true;
    return false;
  };
  let first = 0;
  while (first < span - 1 && !used(first)) first++;
  let last = span - 1;
  while (last > first && !used(last)) last--;
  const taps = last - first + 1;
  if (taps === span) return { outLength, taps, indices, weights };
  const keptIndices = new Int32Array(outLength * taps);
  const keptWeights = new Float64Array(outLength * taps);
  for (let x = 0; x < outLength; x++) {
    keptIndices.set(indices.subarray(x * span + first, x * span + last + 1), x * taps);
    keptWeights.set(weights.subarray(x * span + first, x * span + last + 1), x * taps);
  }
  return { outLength, taps, indices: keptIndices, weights: keptWeights };
}
