import type { TrainConfig } from './trainConfig.js';

/** The learning rate at a 0-based step, computed outside the graph and fed to it. */
export function learningRateAt(config: TrainConfig, step: number): number {
  const base = config.optimizer.lr;
  const s = config.schedule;
  switch (s.type) {
    case 'constant':
      return base;
    case 'multistep':
      return base * s.gamma ** s.milestones.filter((m) => step >= m).length;
    case 'cosine': {
      if (step < s.warmup_steps) return (base * (step + 1)) / s.warmup_steps;
      const progress = Math.min(1, (step - s.warmup_steps) / Math.max(1, config.steps - s.warmup_steps));
      return s.min_lr + 0.5 * (base - s.min_lr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
