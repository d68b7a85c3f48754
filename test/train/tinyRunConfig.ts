import { join } from 'node:path';
import { datasetsDir } from '../helpers.js';

/** A tiny training config: 10 steps (a checkpoint at 10, log lines at 5 and 10) of an 8-feature network on Set5, no validation. */
export function tinyRunConfig(name: string): string {
  return `
name: ${name}
scale: 2
seed: 7
model: { arch: srvgg-compact, options: { features: 8, convs: 2 } }
data: { train: [${join(datasetsDir, 'Set5/hr')}], lr_patch: 8, batch: 2, patches_per_image: 3 }
optimizer: { type: adam, lr: 1.0e-3 }
steps: 10
checkpoint_every: 10
val_every: 1000
log_every: 5
threads: 1
`;
}
