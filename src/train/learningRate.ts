import type { TrainConfig } from './trainConfig.js';

/** What sets a learning rate: the optimizer's peak rate, its schedule and the run's length. */
export interface LearningRatePlan {
  optimizer: { lr: number };
  schedule: TrainConfig['schedule'];
  steps: number;
}

/**
 * The learning rate at a 0-based step, computed outside the graph and fed to it. A config is a plan
 * (the generator's); a GAN's discriminator has its own optimizer and schedule over the same steps.
 */
export function learningRateAt(plan: LearningRatePlan, step: number): number {
  const base = plan.optimizer.lr;
  const s = plan.schedule;
  switch (s.type) {
    case 'constant':
      return base;
    case 'multistep':
      return base * s.gamma ** s.milestones.filter((m) => step >= m).length;
    case 'cosine': {
      if (step < s.warmup_steps) return (base * (step + 1)) / s.warmup_steps;
      const progress = Math.min(1, (step - s.warmup_steps) / Math.max(1, plan.steps - s.warmup_steps));
      return s.min_lr + 0.5 * (base - s.min_lr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
