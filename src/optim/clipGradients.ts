import { greater, where } from '../graph/ops/compare.js';
import { add, div, mul, sqrt } from '../graph/ops/elementwise.js';
import { sumOfSquares } from '../graph/ops/reduce.js';
import type { Value } from '../graph/value.js';

/** Scale all gradients together so their global L2 norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_). */
export function clipByGlobalNorm(gradients: readonly Value[], maxNorm: number): { clipped: Value[]; norm: Value } {
  const norm = sqrt(gradients.map(sumOfSquares).reduce((a, b) => add(a, b)));
  const scale = where(greater(norm, maxNorm), div(maxNorm, add(norm, 1e-6)), 1);
  return { clipped: gradients.map((g) => mul(g, scale)), norm };
}
