import { conv } from '../graph/ops/conv.js';
import { abs, add, div, mul, sub } from '../graph/ops/elementwise.js';
import { mean } from '../graph/ops/reduce.js';
import { float32Tensor } from '../graph/tensorData.js';
import type { Value } from '../graph/value.js';
import { gaussianKernel1d } from '../metrics/gaussianKernel.js';
import { laplacianOfGaussian } from '../metrics/hfen.js';

function channelsOf(x: Value, loss: string): number {
  const c = x.shape[1];
  if (typeof c !== 'number') throw new Error(`${loss}: the channel count must be static, got ${x.shape.join('x')}`);
  return c;
}

/** Depthwise correlation of every channel with one fixed 2-D kernel, 'valid' (no padding). */
function filterEach(x: Value, kernel: Float32Array, size: number, channels: number): Value {
  const weights = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++) weights.set(kernel, c * size * size);
  return conv(x, x.graph.constant(float32Tensor(weights, [channels, 1, size, size])), undefined, { group: channels });
}

/**
 * 1 - SSIM, with SSIM as the metric defines it (11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03)
 * on values in [0, 1] (L = 1), averaged over channels and positions.
 */
export function ssimLoss(prediction: Value, target: Value): Value {
  const channels = channelsOf(prediction, 'ssimLoss');
  const g = gaussianKernel1d(11, 1.5);
  const window = new Float32Array(121);
  for (let i = 0; i < 11; i++) for (let j = 0; j < 11; j++) window[i * 11 + j] = g[i] * g[j];
  const blur = (v: Value) => filterEach(v, window, 11, channels);
  const c1 = 0.01 ** 2;
  const c2 = 0.03 ** 2;
  const muX = blur(prediction);
  const muY = blur(target);
  const varX = sub(blur(mul(prediction, prediction)), mul(muX, muX));
  const varY = sub(blur(mul(target, target)), mul(muY, muY));
  const cov = sub(blur(mul(prediction, target)), mul(muX, muY));
  const numerator = mul(add(mul(mul(muX, muY), 2), c1), add(mul(cov, 2), c2));
  const denominator = mul(add(add(mul(muX, muX), mul(muY, muY)), c1), add(add(varX, varY), c2));
  return sub(1, mean(div(numerator, denominator)));
}

/**
 * High-frequency error as a loss: the mean absolute difference of the Laplacian-of-Gaussian responses
 * (15x15, sigma 1.5, as the HFEN metric), which weighs edges and texture.
 */
export function hfenLoss(prediction: Value, target: Value): Value {
  const channels = channelsOf(prediction, 'hfenLoss');
  const kernel = Float32Array.from(laplacianOfGaussian(15, 1.5));
  return mean(abs(filterEach(sub(prediction, target), kernel, 15, channels)));
}

/** A weighted sum of loss terms. */
export function weightedSum(terms: readonly { weight: number; value: Value }[]): Value {
  return terms.map((t) => (t.weight === 1 ? t.value : mul(t.value, t.weight))).reduce((a, b) => add(a, b));
}

