import { requireRank } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { formatShape } from '../shape.js';
import type { Value } from '../value.js';
import { add, div, mul, sqrt, sub } from './elementwise.js';
import { reduceMean, reduceSum } from './reduce.js';
import { reshape, squeeze } from './shape.js';

function perChannel(v: Value): Value {
  return reshape(v, [-1, 1, 1]);
}

export interface BatchNormTrainingResult {
  y: Value;
  /** Updated running statistics (PyTorch's rule: the variance is the unbiased batch variance). */
  runningMean: Value;
  runningVar: Value;
}

/**
 * Batch normalisation in training mode, built from reductions and arithmetic (ORT's BatchNormalization
 * with training_mode exposes no saved statistics, and this form differentiates twice for free).
 */
export function batchNormTraining(
  x: Value,
  gamma: Value,
  beta: Value,
  running: { mean: Value; variance: Value; momentum?: number; epsilon?: number },
): BatchNormTrainingResult {
  requireRank('BatchNorm', x, 4);
  const momentum = running.momentum ?? 0.1;
  const epsilon = running.epsilon ?? 1e-5;
  const mean = reduceMean(x, [0, 2, 3], true);
  const centered = sub(x, mean);
  const variance = reduceMean(mul(centered, centered), [0, 2, 3], true);
  const normalized = div(centered, sqrt(add(variance, epsilon)));
  const y = add(mul(normalized, perChannel(gamma)), perChannel(beta));
  const [n, , h, w] = x.shape;
  if (typeof n !== 'number' || typeof h !== 'number' || typeof w !== 'number') {
    throw new Error(`BatchNorm: training needs static batch and spatial sizes, got ${formatShape(x.shape)}`);
  }
  const count = n * h * w;
  const batchMean = squeeze(mean, [0, 2, 3]);
  const batchVar = squeeze(variance, [0, 2, 3]);
  return {
    y,
    runningMean: add(mul(running.mean, 1 - momentum), mul(batchMean, momentum)),
    runningVar: add(mul(running.variance, 1 - momentum), mul(batchVar, (momentum * count) / Math.max(1, count - 1))),
  };
}

export const BatchNormalizationOp = defineOp({
  type: 'BatchNormalization',
  gradient: ({ node, inputs: [x, gamma, , mean, variance], gradOutputs: [dy], needsGrad }) => {
    const epsilon = (node.attributes.epsilon as { float: number }).float;
    const invStd = div(1, sqrt(add(variance!, epsilon)));
    const normalized = mul(sub(x!, perChannel(mean!)), perChannel(invStd));
    return [
      needsGrad[0] ? mul(dy!, perChannel(mul(gamma!, invStd))) : undefined,
      needsGrad[1] ? reduceSum(mul(dy!, normalized), [0, 2, 3]) : undefined,
      needsGrad[2] ? reduceSum(dy!, [0, 2, 3]) : undefined,
      undefined,
      undefined,
    ];
  },
});

/** Batch normalisation with fixed statistics (evaluation), as ONNX BatchNormalization (ORT fuses it into the conv before). */
export function batchNormInference(x: Value, gamma: Value, beta: Value, mean: Value, variance: Value, epsilon = 1e-5): Value {
  requireRank('BatchNorm', x, 4);
  return x.graph.addNode(BatchNormalizationOp, [x, gamma, beta, mean, variance], { epsilon: { float: epsilon } }, [{ dtype: 'float32', shape: x.shape }])[0];
}
