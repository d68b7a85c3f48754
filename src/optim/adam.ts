import type { Graph } from '../graph/graph.js';
import { add, div, mul, pow, sqrt, sub } from '../graph/ops/elementwise.js';
import type { Value } from '../graph/value.js';
import { zerosLikeParameter, type Optimizer, type OptimizerSlot, type StepInputs } from './optimizer.js';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay of the weights. */
  weightDecay?: number;
}

function adamFamily(name: 'adam' | 'adamw', options: AdamOptions): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? (name === 'adamw' ? 0.01 : 0);
  return {
    name,
    build(graph: Graph, parameters: readonly Value[], gradients: readonly Value[], { learningRate, step }: StepInputs) {
      const slots: OptimizerSlot[] = [];
      // Bias corrections 1 - beta^t, computed once per step for all parameters.
      const correction1 = sub(1, pow(graph.scalar(beta1), step));
      const correction2 = sub(1, pow(graph.scalar(beta2), step));
      const stepSize = div(learningRate, correction1);
      const updated = parameters.map((p, i) => {
        const g = name === 'adam' && weightDecay ? add(gradients[i], mul(p, weightDecay)) : gradients[i];
        const m = graph.input(`${name}.m.${p.name}`, 'float32', p.shape);
        const v = graph.input(`${name}.v.${p.name}`, 'float32', p.shape);
        const nextM = add(mul(m, beta1), mul(g, 1 - beta1));
        const nextV = add(mul(v, beta2), mul(mul(g, g), 1 - beta2));
        slots.push({ name: m.name, input: m, output: nextM, initial: zerosLikeParameter(p) });
        slots.push({ name: v.name, input: v, output: nextV, initial: zerosLikeParameter(p) });
        // PyTorch: p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
        const denominator = add(div(sqrt(nextV), sqrt(correction2)), epsilon);
        const decayed = name === 'adamw' && weightDecay ? mul(p, sub(1, mul(learningRate, weightDecay))) : p;
        return sub(decayed, mul(stepSize, div(nextM, denominator)));
      });
      return { updated, slots };
    },
  };
}

/** Adam (Kingma & Ba 2015), following torch.optim.Adam. */
export const adam = (options: AdamOptions = {}): Optimizer => adamFamily('adam', options);
/** AdamW (Loshchilov & Hutter 2019): weight decay decoupled from the gradient, following torch.optim.AdamW. */
export const adamw = (options: AdamOptions = {}): Optimizer => adamFamily('adamw', options);
