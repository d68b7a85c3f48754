import type { Graph } from '../graph/graph.js';
import { add, mul, sub } from '../graph/ops/elementwise.js';
import type { Value } from '../graph/value.js';
import { zerosLikeParameter, type Optimizer, type OptimizerSlot, type StepInputs } from './optimizer.js';

export interface SgdOptions {
  momentum?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient (PyTorch's weight_decay). */
  weightDecay?: number;
}

/** Stochastic gradient descent with optional (Nesterov) momentum, following torch.optim.SGD. */
export function sgd(options: SgdOptions = {}): Optimizer {
  const momentum = options.momentum ?? 0;
  const weightDecay = options.weightDecay ?? 0;
  if (options.nesterov && momentum <= 0) throw new RangeError('sgd: Nesterov momentum needs momentum > 0');
  return {
    name: 'sgd',
    build(graph: Graph, parameters: readonly Value[], gradients: readonly Value[], { learningRate }: StepInputs) {
      const slots: OptimizerSlot[] = [];
      const updated = parameters.map((p, i) => {
        let g = weightDecay ? add(gradients[i], mul(p, weightDecay)) : gradients[i];
        if (momentum > 0) {
          const buffer = graph.input(`sgd.momentum.${p.name}`, 'float32', p.shape);
          // With the buffer starting at zero, the first step gives buffer = g, as PyTorch initialises it.
          const next = add(mul(buffer, momentum), g);
          slots.push({ name: buffer.name, input: buffer, output: next, initial: zerosLikeParameter(p) });
          g = options.nesterov ? add(g, mul(next, momentum)) : next;
        }
        return sub(p, mul(g, learningRate));
      });
      return { updated, slots };
    },
  };
}
