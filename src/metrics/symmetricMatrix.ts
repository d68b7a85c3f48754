/** A symmetric n x n matrix in float64, row-major. */
export interface SymmetricMatrix {
  readonly size: number;
  readonly data: Float64Array;
}

/**
 * The sample covariance of observations (one Float64Array of variables each), normalised by count - 1:
 * NumPy `np.cov(x, rowvar=False)`.
 */
export function sampleCovariance(observations: readonly Float64Array[]): SymmetricMatrix {
  if (observations.length < 2) throw new RangeError(`sampleCovariance: needs at least 2 observations, got ${observations.length}`);
  const size = observations[0].length;
  const mean = new Float64Array(size);
  for (const row of observations) for (let i = 0; i < size; i++) mean[i] += row[i];
  for (let i = 0; i < size; i++) mean[i] /= observations.length;
  const data = new Float64Array(size * size);
  const centred = new Float64Array(size);
  for (const row of observations) {
    for (let i = 0; i < size; i++) centred[i] = row[i] - mean[i];
    for (let i = 0; i < size; i++) for (let j = i; j < size; j++) data[i * size + j] += centred[i] * centred[j];
  }
  for (let i = 0; i < size; i++) {
    for (let j = i; j < size; j++) {
      data[i * size + j] /= observations.length - 1;
      data[j * size + i] = data[i * size + j];
    }
  }
  return { size, data };
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan,
 * "Matrix Computations", 8.5): each rotation zeroes one off-diagonal pair; sweeps repeat until the
 * off-diagonal part is negligible next to the whole. Accurate to working precision even for small
 * eigenvalues, which the pseudo-inverse needs. `vectors` holds eigenvector k in column k.
 */
export function symmetricEigen(matrix: SymmetricMatrix): { values: Float64Array; vectors: Float64Array } {
  const n = matrix.size;
  const a = matrix.data.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const total = a.reduce((sum, x) => sum + x * x, 0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) offDiagonal += 2 * a[p * n + q] ** 2;
    if (offDiagonal <= 1e-32 * total) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // The smaller root t = tan(angle) of t^2 + 2 theta t - 1 = 0 zeroes a[p][q] with the least rotation.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotateColumns(a, n, p, q, c, s);
        rotateRows(a, n, p, q, c, s);
        a[p * n + q] = a[q * n + p] = 0; // zero by construction; this drops the rounding noise
        rotateColumns(v, n, p, q, c, s);
      }
    }
  }
  const values = Float64Array.from({ length: n }, (_, i) => a[i * n + i]);
  return { values, vectors: v };
}

function rotateColumns(m: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const mp = m[k * n + p];
    const mq = m[k * n + q];
    m[k * n + p] = c * mp - s * mq;
    m[k * n + q] = s * mp + c * mq;
  }
}

function rotateRows(m: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const mp = m[p * n + k];
    const mq = m[q * n + k];
    m[p * n + k] = c * mp - s * mq;
    m[q * n + k] = s * mp + c * mq;
  }
}

/**
 * The Moore-Penrose pseudo-inverse of a symmetric matrix, V diag(1/λ) Vᵀ over the eigenvalues with
 * |λ| > 1e-15 max|λ| (the others count as zero): NumPy `np.linalg.pinv` with its default rcond, whose
 * singular values are a symmetric matrix's |λ|.
 */
export function symmetricPseudoInverse(matrix: SymmetricMatrix): SymmetricMatrix {
  const n = matrix.size;
  const { values, vectors } = symmetricEigen(matrix);
  const cutoff = 1e-15 * values.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
  const data = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    if (!(Math.abs(values[k]) > cutoff)) continue;
    const inverse = 1 / values[k];
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * inverse;
      for (let j = 0; j < n; j++) data[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return { size: n, data };
}
