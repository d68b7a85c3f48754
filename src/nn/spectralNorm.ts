import { greater, where } from '../graph/ops/compare.js';
import { conv } from '../graph/ops/conv.js';
import { div, mul, sqrt, stopGradient } from '../graph/ops/elementwise.js';
import { linear, matmul } from '../graph/ops/matmul.js';
import { reduceSum } from '../graph/ops/reduce.js';
import { reshape } from '../graph/ops/shape.js';
import type { Value } from '../graph/value.js';
import type { BuildContext } from './buildContext.js';
import { pytorchDefault, type Initializer } from './init.js';

/** torch.nn.utils.spectral_norm's guard against dividing by a zero norm. */
const NORM_EPSILON = 1e-12;

/** A random unit vector: how PyTorch starts u and v (normal samples, normalised). */
const randomUnitVector: Initializer = (size, _fanIn, random) => {
  const vector = Float32Array.from({ length: size }, () => random.normal());
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return vector.map((x) => x / Math.max(norm, NORM_EPSILON));
};

/** x / max(||x||, eps) over all elements. */
function normalize(x: Value): Value {
  const norm = sqrt(reduceSum(mul(x, x)));
  return div(x, where(greater(norm, NORM_EPSILON), norm, NORM_EPSILON));
}

/**
 * Spectral normalisation (Miyato et al. 2018) as torch.nn.utils.spectral_norm does it: the parameter
 * `<name>_orig` divided by sigma = u^T W v, an estimate of the largest singular value of W, the weight
 * as an [out, rest] matrix. u and v are buffers (`<name>_u` [out], `<name>_v` [rest]); in training each
 * step refines them by one power-iteration step and stores the result, and sigma uses the refined
 * vectors. As in PyTorch the iteration runs under no_grad, so the gradient reaches W only through
 * u^T W v with u and v held fixed. In evaluation the stored u and v are used as they are.
 */
export function spectralNormWeight(ctx: BuildContext, name: string, shape: readonly number[], fanIn: number, init: Initializer = pytorchDefault): Value {
  const rows = shape[0];
  const columns = shape.slice(1).reduce((a, b) => a * b, 1);
  const weight = ctx.parameter(`${name}_orig`, shape, fanIn, init);
  const storedU = ctx.buffer(`${name}_u`, [rows], randomUnitVector);
  const storedV = ctx.buffer(`${name}_v`, [columns], randomUnitVector);
  const matrix = reshape(weight, [rows, columns]);
  let u = reshape(storedU, [1, rows]);
  let v = reshape(storedV, [1, columns]);
  if (ctx.training) {
    const fixed = stopGradient(matrix);
    v = normalize(matmul(u, fixed)); // W^T u, as a row
    u = normalize(linear(v, fixed)); // W v, as a row
    ctx.updateBuffer(storedU, reshape(u, [rows]));
    ctx.updateBuffer(storedV, reshape(v, [columns]));
  }
  const sigma = reduceSum(mul(u, linear(v, matrix)));
  return div(weight, sigma);
}

export interface SpectralConv2dOptions {
  kernel: number;
  stride?: number;
  /** Zero padding on every side; default kernel/2. */
  padding?: number;
  bias?: boolean;
}

/**
 * A torch.nn.Conv2d wrapped in spectral_norm: parameters `<name>.weight_orig` (and `<name>.bias`),
 * buffers `<name>.weight_u`, `<name>.weight_v`. PyTorch's default initialisation.
 */
export function spectralConv2d(ctx: BuildContext, name: string, x: Value, inChannels: number, outChannels: number, options: SpectralConv2dOptions): Value {
  const { kernel } = options;
  const stride = options.stride ?? 1;
  const padding = options.padding ?? Math.floor(kernel / 2);
  const fanIn = inChannels * kernel * kernel;
  const scope = ctx.child(name);
  const weight = spectralNormWeight(scope, 'weight', [outChannels, inChannels, kernel, kernel], fanIn);
  const bias = options.bias === false ? undefined : scope.parameter('bias', [outChannels], fanIn, pytorchDefault);
  return conv(x, weight, bias, { strides: [stride, stride], pads: [padding, padding, padding, padding] });
}
