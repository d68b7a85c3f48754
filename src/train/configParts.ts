/** The objects a training config's sections stand for. */
import type { ModelSpec } from '../architectures/registry.js';
import { adam, adamw } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { sgd } from '../optim/sgd.js';
import type { SessionOptions } from '../runtime/session.js';
import type { TrainConfig } from './trainConfig.js';

export function optimizerOf(o: TrainConfig['optimizer']): Optimizer {
  if (o.type === 'sgd') return sgd({ momentum: o.momentum, weightDecay: o.weight_decay });
  const options = { beta1: o.betas[0], beta2: o.betas[1], weightDecay: o.weight_decay };
  return o.type === 'adam' ? adam(options) : adamw(options);
}

export function modelSpecOf(config: TrainConfig): ModelSpec {
  return { arch: config.model.arch, scale: config.scale, options: config.model.options };
}

/**
 * The engine's session options for a run's trainers. Real-world degradations are made beside the step
 * and share its cores, so idle engine threads must not busy-wait then (see `SessionOptions.spinWait`).
 */
export function trainerSessionOptions(config: TrainConfig): SessionOptions {
  return { threads: config.threads, spinWait: !config.degradation };
}
