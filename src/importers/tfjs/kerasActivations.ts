import { relu, sigmoid, softplus, tanh } from '../../graph/ops/activations.js';
import { greater, where } from '../../graph/ops/compare.js';
import { abs, add, div, exp, mul, sub } from '../../graph/ops/elementwise.js';
import type { Value } from '../../graph/value.js';

/** x limited to [low, high], as tf.clipByValue (NaN stays NaN). */
export function clamp(x: Value, low: number, high: number): Value {
  return where(greater(x, high), high, where(greater(low, x), low, x));
}

/** alpha * (e^x - 1) below zero, x above: ELU as tfjs-core computes it (exp(x) - 1, not expm1). */
function elu(x: Value, alpha = 1): Value {
  return where(greater(x, 0), x, mul(sub(exp(x), 1), alpha));
}

// SELU's constants (Klambauer et al. 2017), as tfjs-core's selu_util.
const SELU_SCALE = 1.0507009873554804934193349852946;
const SELU_SCALE_ALPHA = 1.7580993408473768599402175208123;

/**
 * The Keras activations by the names model.json uses (tfjs-layers' activation_config), built from
 * graph ops with the formulas tfjs uses. Softmax is left out: no super-resolution network ends in one.
 */
export const KERAS_ACTIVATIONS: Readonly<Record<string, (x: Value) => Value>> = {
  linear: (x) => x,
  relu,
  relu6: (x) => clamp(x, 0, 6),
  elu: (x) => elu(x),
  selu: (x) => where(greater(x, 0), mul(x, SELU_SCALE), mul(sub(exp(x), 1), SELU_SCALE_ALPHA)),
  sigmoid,
  hard_sigmoid: (x) => clamp(add(mul(x, 0.2), 0.5), 0, 1),
  tanh,
  softplus,
  softsign: (x) => div(x, add(abs(x), 1)),
  swish: (x) => mul(x, sigmoid(x)),
  mish: (x) => mul(x, tanh(softplus(x))),
};
