import type { Random } from '../nn/random.js';

/** log(k!) : exact sums for small k, Stirling's series beyond (error below 1e-10 from k = 10). */
export function logFactorial(k: number): number {
  if (k < 10) {
    let sum = 0;
    for (let i = 2; i <= k; i++) sum += Math.log(i);
    return sum;
  }
  const n = k + 1;
  return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * n) - 1 / (360 * n ** 3) + 1 / (1260 * n ** 5);
}

/**
 * One Poisson(lambda) draw, as NumPy draws it: multiplying uniforms below lambda 10, and Hörmann's
 * transformed rejection with squeeze (PTRS, 1993) above, whose cost does not grow with lambda.
 */
export function poissonSample(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = random.next();
    while (product > limit) {
      k++;
      product *= random.next();
    }
    return k;
  }
  const sqrtLambda = Math.sqrt(lambda);
  const logLambda = Math.log(lambda);
  const b = 0.931 + 2.53 * sqrtLambda;
  const a = -0.059 + 0.02483 * b;
  const inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random.next() - 0.5;
    const v = random.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * logLambda - logFactorial(k)) return k;
  }
}

/** Draws from one Poisson distribution. */
export type PoissonSampler = (random: Random) => number;

/**
 * A sampler of Poisson(lambda) by inversion of its cumulative distribution, tabulated up to where the
 * remaining mass is below 1e-12 (lambda + 8 sqrt(lambda) + 10 terms), with a guide table (Chen and
 * Asau, 1974): the draw starts at the first term whose mass can hold its uniform, so a draw is one
 * uniform and one or two comparisons, for noise that draws hundreds of thousands of times from the
 * same few lambdas. The result is the smallest k whose cumulative mass exceeds the uniform, exactly
 * what a full search gives.
 */
export function poissonSampler(lambda: number): PoissonSampler {
  if (lambda <= 0) return () => 0;
  const length = Math.ceil(lambda + 8 * Math.sqrt(lambda) + 10);
  const cumulative = new Float64Array(length);
  let logP = -lambda;
  let sum = 0;
  for (let k = 0; k < length; k++) {
    if (k > 0) logP += Math.log(lambda / k);
    sum += Math.exp(logP);
    cumulative[k] = sum;
  }
  // guide[j]: the first k with cumulative[k] > j * sum / length, where a uniform in bucket j starts.
  const guide = new Uint32Array(length);
  for (let j = 0, k = 0; j < length; j++) {
    while (k < length - 1 && cumulative[k] <= (j * sum) / length) k++;
    guide[j] = k;
  }
  return (random) => {
    const u = random.next() * sum;
    let k = guide[Math.min(length - 1, Math.floor((u / sum) * length))];
    while (k < length - 1 && cumulative[k] <= u) k++;
    // Rounding in the bucket index can start one term late; step back so the result stays exact.
    while (k > 0 && cumulative[k - 1] > u) k--;
    return k;
  };
}
