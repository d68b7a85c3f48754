import type { Random } from './random.js';

/** How a new parameter is filled; fanIn is in_channels/groups * kernel area (PyTorch's definition). */
export type Initializer = (size: number, fanIn: number, random: Random) => Float32Array;

/**
 * PyTorch's default for Conv and Linear weights and biases: kaiming_uniform(a = sqrt(5)) on weights,
 * which is U(-1/sqrt(fanIn), 1/sqrt(fanIn)), and the same bound for biases.
 */
export const pytorchDefault: Initializer = (size, fanIn, random) => {
  const bound = 1 / Math.sqrt(fanIn);
  return Float32Array.from({ length: size }, () => random.uniform(-bound, bound));
};

/** Kaiming normal (fan in, ReLU gain) times `scale`: BasicSR's `default_init_weights` (scale 0.1 in RRDB blocks). */
export const kaimingNormal = (scale = 1): Initializer => (size, fanIn, random) => {
  const std = Math.sqrt(2 / fanIn) * scale;
  return Float32Array.from({ length: size }, () => random.normal() * std);
};

export const constantInit = (value: number): Initializer => (size) => new Float32Array(size).fill(value);
