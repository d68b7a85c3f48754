import { describe, expect, it } from 'vitest';
import { sampleCovariance, symmetricEigen, symmetricPseudoInverse, type SymmetricMatrix } from '../../src/metrics/symmetricMatrix.js';
import { maxAbsDifference } from '../helpers.js';

function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

/** Plain triple loop, the reference for every product below. */
function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) out[i * n + j] += a[i * n + k] * b[k * n + j];
  return out;
}

function transpose(a: Float64Array, n: number): Float64Array {
  return a.map((_, index) => a[(index % n) * n + Math.floor(index / n)]);
}

/** X Xᵀ for a random n x rank X: symmetric, positive semi-definite, of the given rank. */
function gramMatrix(n: number, rank: number, seed: number): SymmetricMatrix {
  const random = seededUniform(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: rank }, random));
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < rank; k++) data[i * n + j] += x[i][k] * x[j][k];
  return { size: n, data };
}

/** A random symmetric matrix with eigenvalues of both signs. */
function randomSymmetric(n: number, seed: number): SymmetricMatrix {
  const random = seededUniform(seed);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) data[i * n + j] = data[j * n + i] = random();
  return { size: n, data };
}

const identity = (n: number) => Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

describe('sampleCovariance', () => {
  it('divides by the number of observations minus one, as np.cov', () => {
    const covariance = sampleCovariance([Float64Array.of(1, 2), Float64Array.of(3, 6), Float64Array.of(5, 7)]);
    // means 3 and 5; deviations (-2, -3), (0, 1), (2, 2)
    expect(Array.from(covariance.data)).toEqual([4, 5, 5, 7]);
  });

  it('refuses a single observation', () => {
    expect(() => sampleCovariance([Float64Array.of(1, 2)])).toThrow(/at least 2 observations/);
  });
});

describe('symmetricEigen', () => {
  it('decomposes a 36x36 symmetric matrix into orthonormal vectors with A = V diag(λ) Vᵀ', () => {
    const a = randomSymmetric(36, 7);
    const { values, vectors } = symmetricEigen(a);
    const scaled = vectors.map((v, index) => v * values[index % 36]);
    expect(maxAbsDifference(multiply(scaled, transpose(vectors, 36), 36), a.data)).toBeLessThan(1e-13);
    expect(maxAbsDifference(multiply(transpose(vectors, 36), vectors, 36), identity(36))).toBeLessThan(1e-13);
    expect(values.some((v) => v < 0) && values.some((v) => v > 0)).toBe(true);
  });

  it('finds the known eigenvalues of a 2x2 matrix', () => {
    const { values } = symmetricEigen({ size: 2, data: Float64Array.of(2, 1, 1, 2) });
    const [smaller, larger] = Array.from(values).sort((x, y) => x - y);
    expect(smaller).toBeCloseTo(1, 14);
    expect(larger).toBeCloseTo(3, 14);
  });
});

describe('symmetricPseudoInverse', () => {
  it('is the inverse of a well-conditioned matrix', () => {
    const a = gramMatrix(36, 50, 3);
    const inverse = symmetricPseudoInverse(a);
    expect(maxAbsDifference(multiply(a.data, inverse.data, 36), identity(36))).toBeLessThan(1e-10);
  });

  it('satisfies the Moore-Penrose conditions on an indefinite matrix', () => {
    const a = randomSymmetric(36, 11);
    const p = symmetricPseudoInverse(a).data;
    expect(maxAbsDifference(multiply(multiply(a.data, p, 36), a.data, 36), a.data)).toBeLessThan(1e-11);
    expect(maxAbsDifference(multiply(multiply(p, a.data, 36), p, 36), p)).toBeLessThan(1e-9);
  });

  it('inverts only the range of a singular matrix (rank 5 of 12)', () => {
    const a = gramMatrix(12, 5, 5);
    const p = symmetricPseudoInverse(a).data;
    const ap = multiply(a.data, p, 12);
    expect(maxAbsDifference(multiply(ap, a.data, 12), a.data)).toBeLessThan(1e-12);
    expect(maxAbsDifference(multiply(multiply(p, a.data, 12), p, 12), p)).toBeLessThan(1e-10);
    expect(maxAbsDifference(ap, transpose(ap, 12))).toBeLessThan(1e-12);
    // A A⁺ projects onto the range: its trace is the rank.
    expect(ap.reduce((trace, v, index) => (index % 13 === 0 ? trace + v : trace), 0)).toBeCloseTo(5, 10);
  });

  it('maps zero eigenvalues to zero: the pseudo-inverse of diag(2, 0, 4) is diag(0.5, 0, 0.25)', () => {
    const p = symmetricPseudoInverse({ size: 3, data: Float64Array.of(2, 0, 0, 0, 0, 0, 0, 0, 4) });
    expect(Array.from(p.data)).toEqual([0.5, 0, 0, 0, 0, 0, 0, 0, 0.25]);
  });
});
