import { gammaFunction } from './gammaFunction.js';
import type { Plane } from './plane.js';

/**
 * The natural scene statistics NIQE and BRISQUE are built on (Mittal, Moorthy, Bovik, "No-Reference Image
 * Quality Assessment in the Spatial Domain", IEEE TIP 2012; Mittal, Soundararajan, Bovik, "Making a
 * Completely Blind Image Quality Analyzer", IEEE SPL 2013), computed as the reference MATLAB code and
 * BasicSR's `niqe.py` compute them.
 */

/** A square, odd-sized filter window, row-major. */
export interface FilterWindow {
  readonly size: number;
  readonly data: Float64Array;
}

/**
 * Mean-subtracted contrast-normalised (MSCN) coefficients, (I - μ) / (σ + 1), where μ and σ are the local
 * mean and standard deviation weighted by `window` (which sums to 1), borders replicated (MATLAB
 * `imfilter(..., 'replicate')`, SciPy `convolve(..., mode='nearest')`).
 *
 * The sums run over differences from the centre pixel c: I - μ = -E[I - c] and σ² = E[(I - c)²] - E[I - c]²
 * (shift invariance). A flat neighbourhood then gives exactly 0, which the AGGD fit leaves out of both
 * sides. Summing w·I directly leaves ±1e-14 there instead, counted as a negative or positive coefficient:
 * that alone moves NIQE of the BasicSR/MATLAB anchor picture from 5.72957 to 5.72996.
 */
export function mscnCoefficients(plane: Plane, window: FilterWindow): Plane {
  const { height, width } = plane;
  const { size } = window;
  const half = (size - 1) / 2;
  const clamp = (i: number, length: number) => (i < 0 ? 0 : i >= length ? length - 1 : i);
  // A true convolution reads the window flipped: out[y][x] = Σ w[i][j] · in[y + half - i][x + half - j].
  const columnAt = new Int32Array(width * size);
  for (let x = 0; x < width; x++) for (let j = 0; j < size; j++) columnAt[x * size + j] = clamp(x + half - j, width);
  const source = plane.data;
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const centre = source[y * width + x];
      let meanOffset = 0;
      let meanSquaredOffset = 0;
      for (let i = 0; i < size; i++) {
        const row = clamp(y + half - i, height) * width;
        for (let j = 0; j < size; j++) {
          const w = window.data[i * size + j];
          const d = source[row + columnAt[x * size + j]] - centre;
          meanOffset += w * d;
          meanSquaredOffset += w * d * d;
        }
      }
      // abs: as the reference code, which takes it because rounding can make E[I²] - μ² negative.
      const deviation = Math.sqrt(Math.abs(meanSquaredOffset - meanOffset * meanOffset));
      out[y * width + x] = -meanOffset / (deviation + 1);
    }
  }
  return { height, width, data: out };
}

/** Asymmetric generalised Gaussian: one shape and a scale on each side of zero. */
export interface AggdParameters {
  readonly shape: number;
  readonly leftScale: number;
  readonly rightScale: number;
}

// The shapes tried, 0.2 to 10 in steps of 0.001 (as the reference code's grid), and for each the ratio
// ρ(α) = Γ(2/α)² / (Γ(1/α) Γ(3/α)) that moment matching compares against.
let shapeGrid: { shapes: Float64Array; ratios: Float64Array } | undefined;

function aggdShapeGrid(): { shapes: Float64Array; ratios: Float64Array } {
  if (!shapeGrid) {
    const shapes = Float64Array.from({ length: 9801 }, (_, i) => 0.2 + i * 0.001);
    const ratios = shapes.map((a) => gammaFunction(2 / a) ** 2 / (gammaFunction(1 / a) * gammaFunction(3 / a)));
    shapeGrid = { shapes, ratios };
  }
  return shapeGrid;
}

/**
 * AGGD parameters by moment matching over the shape grid (NIQE paper, eq. 7; Lasmar et al. 2009).
 * Zeros count in the overall moments but on neither side. A side with no values gives NaN scales, and
 * then, as in MATLAB and NumPy (whose minimum of all-NaN distances is the first entry), the shape 0.2.
 */
export function estimateAggd(values: ArrayLike<number>): AggdParameters {
  let leftSquares = 0, leftCount = 0, rightSquares = 0, rightCount = 0, absoluteSum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0) {
      leftSquares += v * v;
      leftCount++;
    } else if (v > 0) {
      rightSquares += v * v;
      rightCount++;
    }
    absoluteSum += Math.abs(v);
  }
  const leftStd = Math.sqrt(leftSquares / leftCount);
  const rightStd = Math.sqrt(rightSquares / rightCount);
  const asymmetry = leftStd / rightStd;
  const meanAbsolute = absoluteSum / values.length;
  const meanSquare = (leftSquares + rightSquares) / values.length;
  const ratio = (meanAbsolute * meanAbsolute) / meanSquare;
  const normalisedRatio = (ratio * (asymmetry ** 3 + 1) * (asymmetry + 1)) / (asymmetry ** 2 + 1) ** 2;

  const { shapes, ratios } = aggdShapeGrid();
  let best = 0;
  let bestDistance = (ratios[0] - normalisedRatio) ** 2;
  for (let i = 1; i < ratios.length; i++) {
    const distance = (ratios[i] - normalisedRatio) ** 2;
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  }
  const shape = shapes[best];
  const stdToScale = Math.sqrt(gammaFunction(1 / shape) / gammaFunction(3 / shape));
  return { shape, leftScale: leftStd * stdToScale, rightScale: rightStd * stdToScale };
}

/** Neighbour directions whose pairwise products NIQE models: horizontal, vertical, and the two diagonals. */
const NEIGHBOUR_OFFSETS = [[0, 1], [1, 0], [1, 1], [1, -1]] as const;

export const FEATURES_PER_BLOCK = 2 + 4 * NEIGHBOUR_OFFSETS.length;

/**
 * The 18 NIQE features of one block of MSCN coefficients: the shape and mean scale of the coefficients'
 * distribution, then for each neighbour direction the shape, mean, left and right scales of the products
 * of neighbouring coefficients. Neighbours wrap around the block's edges (the reference code's circular
 * shift).
 */
export function blockFeatures(mscn: Plane, top: number, left: number, height: number, width: number): Float64Array {
  const block = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const from = (top + y) * mscn.width + left;
    block.set(mscn.data.subarray(from, from + width), y * width);
  }
  const features = new Float64Array(FEATURES_PER_BLOCK);
  const coefficients = estimateAggd(block);
  features[0] = coefficients.shape;
  features[1] = (coefficients.leftScale + coefficients.rightScale) / 2;

  const products = new Float64Array(height * width);
  NEIGHBOUR_OFFSETS.forEach(([dy, dx], k) => {
    for (let y = 0; y < height; y++) {
      const neighbourRow = ((y + dy) % height) * width;
      for (let x = 0; x < width; x++) {
        products[y * width + x] = block[y * width + x] * block[neighbourRow + ((x + dx + width) % width)];
      }
    }
    const { shape, leftScale, rightScale } = estimateAggd(products);
    const mean = (rightScale - leftScale) * (gammaFunction(2 / shape) / gammaFunction(1 / shape));
    features.set([shape, mean, leftScale, rightScale], 2 + 4 * k);
  });
  return features;
}
