import { batchNormInference, batchNormTraining } from '../graph/ops/batchNorm.js';
import type { Value } from '../graph/value.js';
import type { BuildContext } from './buildContext.js';
import { constantInit } from './init.js';

/**
 * torch.nn.BatchNorm2d: `<name>.weight`, `<name>.bias` (trainable), `<name>.running_mean`,
 * `<name>.running_var` (buffers). Batch statistics in training (running ones updated), running
 * statistics in evaluation.
 */
export function batchNorm2d(ctx: BuildContext, name: string, x: Value, channels: number, options: { momentum?: number; epsilon?: number } = {}): Value {
  const scope = ctx.child(name);
  const gamma = scope.parameter('weight', [channels], 1, constantInit(1));
  const beta = scope.parameter('bias', [channels], 1, constantInit(0));
  const mean = scope.buffer('running_mean', [channels], constantInit(0));
  const variance = scope.buffer('running_var', [channels], constantInit(1));
  if (!ctx.training) return batchNormInference(x, gamma, beta, mean, variance, options.epsilon ?? 1e-5);
  const result = batchNormTraining(x, gamma, beta, { mean, variance, ...options });
  scope.updateBuffer(mean, result.runningMean);
  scope.updateBuffer(variance, result.runningVar);
  return result.y;
}
