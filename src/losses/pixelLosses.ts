import { abs, add, mul, sqrt, sub } from '../graph/ops/elementwise.js';
import { mean } from '../graph/ops/reduce.js';
import type { Value } from '../graph/value.js';

/** Mean absolute error (PyTorch L1Loss). */
export function l1Loss(prediction: Value, target: Value): Value {
  return mean(abs(sub(prediction, target)));
}

/** Mean squared error (PyTorch MSELoss). */
export function mseLoss(prediction: Value, target: Value): Value {
  const d = sub(prediction, target);
  return mean(mul(d, d));
}

/** Charbonnier loss mean(sqrt((p - t)^2 + eps^2)), a smooth L1 (LapSRN; BasicSR's eps 1e-12 on the square). */
export function charbonnierLoss(prediction: Value, target: Value, epsilon = 1e-3): Value {
  const d = sub(prediction, target);
  return mean(sqrt(add(mul(d, d), epsilon * epsilon)));
}
