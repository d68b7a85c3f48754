import { grayscalePlane } from '../color/grayscale.js';
import type { ImageTensor } from '../image/tensor.js';
import type { Random } from '../nn/random.js';
import type { NoiseStageSettings } from './degradationSettings.js';
import { poissonSampler, type PoissonSampler } from './poissonSample.js';

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Gaussian noise of standard deviation `sigma` (in [0, 1] units) added to every channel, the same
 * draw in all channels when `gray`, result clamped to [0, 1].
 */
export function addGaussianNoise(image: ImageTensor, random: Random, sigma: number, gray: boolean): ImageTensor {
  const plane = image.height * image.width;
  const noise = normalDraws(random, gray ? plane : image.data.length);
  const out = new Float32Array(image.data.length);
  for (let c = 0; c < image.channels; c++) {
    for (let i = 0; i < plane; i++) {
      const at = c * plane + i;
      out[at] = clamp01(image.data[at] + sigma * noise[gray ? i : at]);
    }
  }
  return { ...image, data: out };
}

/** `count` standard normal draws, both of each Box-Muller pair used (half the logarithms of one at a time). */
function normalDraws(random: Random, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random.next()));
    const angle = 2 * Math.PI * random.next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/**
 * Shot noise as BasicSR models it: the picture is rounded to 8 bits, its number of distinct values
 * rounded up to a power of two gives the photon levels, noise = Poisson(x levels) / levels - x,
 * scaled by `scale` and added; with `gray` it is computed on the luma and added to every channel.
 */
export function addPoissonNoise(image: ImageTensor, random: Random, scale: number, gray: boolean): ImageTensor {
  const plane = image.height * image.width;
  const source = gray ? grayscalePlane(image) : image.data;
  // The picture rounded to 8 bits: levels 0-255, whose count sets the photon levels.
  const level = new Uint8Array(source.length);
  const present = new Uint8Array(256);
  for (let i = 0; i < source.length; i++) {
    const v = source[i];
    level[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
    present[level[i]] = 1;
  }
  const distinct = present.reduce((n, p) => n + p, 0);
  const photons = 2 ** Math.ceil(Math.log2(Math.max(1, distinct)));
  const samplers = samplersFor(photons);
  const noise = new Float32Array(source.length);
  for (let i = 0; i < source.length; i++) {
    const v = level[i] / 255;
    const sampler = (samplers[level[i]] ??= poissonSampler(v * photons));
    noise[i] = (sampler(random) / photons - v) * scale;
  }
  const out = new Float32Array(image.data.length);
  for (let c = 0; c < image.channels; c++) {
    for (let i = 0; i < plane; i++) out[c * plane + i] = clamp01(image.data[c * plane + i] + noise[gray ? i : c * plane + i]);
  }
  return { ...image, data: out };
}

/**
 * The tabulated samplers of the 256 levels at one photon count, kept for the process: photon counts
 * are powers of two up to 256, so at most nine tables of 256 exist, and a training run builds each once.
 */
const samplerTables = new Map<number, (PoissonSampler | undefined)[]>();
function samplersFor(photons: number): (PoissonSampler | undefined)[] {
  let table = samplerTables.get(photons);
  if (!table) samplerTables.set(photons, (table = new Array<PoissonSampler | undefined>(256)));
  return table;
}

/** A noise stage: Gaussian with its probability, else Poisson; gray with `gray_probability`. */
export function addRandomNoise(image: ImageTensor, random: Random, settings: NoiseStageSettings): ImageTensor {
  if (random.next() < settings.gaussian_probability) {
    const sigma = random.uniform(settings.sigma[0], settings.sigma[1]) / 255;
    return addGaussianNoise(image, random, sigma, random.next() < settings.gray_probability);
  }
  const scale = random.uniform(settings.poisson_scale[0], settings.poisson_scale[1]);
  return addPoissonNoise(image, random, scale, random.next() < settings.gray_probability);
}
