import type { Random } from '../nn/random.js';
import { circularLowpassKernel, gaussianKernel, generalizedGaussianKernel, plateauKernel, unitPulse, type BlurKernel, type KernelShape } from './blurKernels.js';
import type { BlurStageSettings, KernelType } from './degradationSettings.js';

/** One of `items`, uniformly. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.min(items.length - 1, Math.floor(random.next() * items.length))];
}

/** An index drawn with the given (unnormalised) weights. */
export function pickWeighted(random: Random, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = random.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

const uniformIn = (random: Random, [low, high]: readonly [number, number]) => random.uniform(low, high);

/**
 * A shape parameter beta drawn as Real-ESRGAN draws it: half the time below 1 (heavier tails), half
 * above, each uniform, so a range such as [0.5, 4] is not dominated by its upper part.
 */
function drawBeta(random: Random, [low, high]: readonly [number, number]): number {
  return random.next() < 0.5 ? random.uniform(low, Math.max(low, Math.min(1, high))) : random.uniform(Math.min(high, Math.max(1, low)), high);
}

function drawShape(random: Random, settings: BlurStageSettings, isotropic: boolean): KernelShape {
  const sigmaX = uniformIn(random, settings.sigma);
  if (isotropic) return { sigmaX, sigmaY: sigmaX, rotation: 0 };
  return { sigmaX, sigmaY: uniformIn(random, settings.sigma), rotation: uniformIn(random, settings.rotation) };
}

/** A kernel of the given type with its parameters drawn from the stage's ranges. */
export function drawKernelOfType(random: Random, type: KernelType, size: number, settings: BlurStageSettings): BlurKernel {
  const isotropic = type.endsWith('iso') && !type.endsWith('aniso');
  const shape = drawShape(random, settings, isotropic);
  if (type === 'iso' || type === 'aniso') return gaussianKernel(size, shape);
  if (type.startsWith('generalized')) return generalizedGaussianKernel(size, shape, drawBeta(random, settings.beta_generalized));
  return plateauKernel(size, shape, drawBeta(random, settings.beta_plateau));
}

/**
 * A blur stage's kernel (Real-ESRGAN's dataset): skipped (a unit pulse) with probability
 * 1 - `probability`; else a size, then with `sinc_probability` a circular low-pass filter (cutoff in
 * [pi/3, pi] for small kernels, [pi/5, pi] from size 13, where a low cutoff still fits), otherwise a
 * kernel of a type drawn by `type_probabilities`.
 */
export function drawBlurKernel(random: Random, settings: BlurStageSettings): BlurKernel {
  if (random.next() >= settings.probability) return unitPulse();
  const size = pick(random, settings.sizes);
  if (random.next() < settings.sinc_probability) {
    const omega = size < 13 ? random.uniform(Math.PI / 3, Math.PI) : random.uniform(Math.PI / 5, Math.PI);
    return circularLowpassKernel(size, omega);
  }
  const type = settings.types[pickWeighted(random, settings.type_probabilities)];
  return drawKernelOfType(random, type, size, settings);
}
