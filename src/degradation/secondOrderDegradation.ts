import type { ImageTensor } from '../image/tensor.js';
import { Random } from '../nn/random.js';
import { addRandomNoise } from './addNoise.js';
import { circularLowpassKernel, unitPulse, type BlurKernel } from './blurKernels.js';
import { degradationResize } from './degradationResize.js';
import type { DegradationSettings, ResizeStageSettings } from './degradationSettings.js';
import { filter2d } from './filter2d.js';
import { jpegRoundTrip } from './jpegRoundTrip.js';
import { drawBlurKernel, pick, pickWeighted } from './randomKernel.js';

/** The resize factor of a stage: up, down or keep by the stage's probabilities. */
function drawResizeFactor(random: Random, settings: ResizeStageSettings): number {
  const kind = pickWeighted(random, settings.probabilities);
  if (kind === 0) return random.uniform(settings.up[0], settings.up[1]);
  if (kind === 1) return random.uniform(settings.down[0], settings.down[1]);
  return 1;
}

/** The final sinc filter: a circular low-pass with `sinc_probability`, else nothing. */
function drawFinalSinc(random: Random, settings: DegradationSettings['final']): BlurKernel {
  if (random.next() >= settings.sinc_probability) return unitPulse();
  const size = pick(random, settings.sinc_sizes);
  return circularLowpassKernel(size, random.uniform(settings.sinc_cutoff[0], settings.sinc_cutoff[1]));
}

/**
 * Real-ESRGAN's second-order degradation (Wang et al. 2021, "Real-ESRGAN: Training Real-World Blind
 * Super-Resolution with Pure Synthetic Data"): blur, random resize, noise and JPEG, twice, then the
 * resize to the LR size with a sinc filter and a last JPEG in random order, rounded to 8 bits. Every
 * draw comes from `seed`, so a sample is the same on every run and after a resume.
 *
 * The result is `floor(height / scale) x floor(width / scale)`, 3 channels in [0, 1].
 */
export async function degradeSecondOrder(hr: ImageTensor, scale: number, settings: DegradationSettings, seed: number): Promise<ImageTensor> {
  if (hr.channels !== 3) throw new RangeError(`degradeSecondOrder: takes an RGB picture, got ${hr.channels} channels`);
  const random = new Random(seed);
  const lrHeight = Math.floor(hr.height / scale);
  const lrWidth = Math.floor(hr.width / scale);
  if (lrHeight < 1 || lrWidth < 1) throw new RangeError(`degradeSecondOrder: a ${hr.width}x${hr.height} picture is smaller than the scale ${scale}`);
  // Each stage's kernels are drawn first, as Real-ESRGAN's dataset draws them per sample.
  const firstKernel = drawBlurKernel(random, settings.first.blur);
  const secondKernel = drawBlurKernel(random, settings.second.blur);
  const finalSinc = drawFinalSinc(random, settings.final);

  const { first, second, final } = settings;
  let image = filter2d(hr, firstKernel);
  const factor = drawResizeFactor(random, first.resize);
  image = degradationResize(image, Math.max(1, Math.floor(hr.height * factor)), Math.max(1, Math.floor(hr.width * factor)), pick(random, first.resize.modes));
  image = addRandomNoise(image, random, first.noise);
  image = await jpegRoundTrip(image, random.uniform(first.jpeg_quality[0], first.jpeg_quality[1]));

  if (random.next() < second.probability) {
    image = filter2d(image, secondKernel);
    const factor2 = drawResizeFactor(random, second.resize);
    image = degradationResize(image, Math.max(1, Math.floor((hr.height / scale) * factor2)), Math.max(1, Math.floor((hr.width / scale) * factor2)), pick(random, second.resize.modes));
    image = addRandomNoise(image, random, second.noise);
  }

  const quality = random.uniform(final.jpeg_quality[0], final.jpeg_quality[1]);
  const mode = pick(random, final.modes);
  if (random.next() < final.resize_first_probability) {
    image = filter2d(degradationResize(image, lrHeight, lrWidth, mode), finalSinc);
    image = await jpegRoundTrip(image, quality);
  } else {
    image = await jpegRoundTrip(image, quality);
    image = filter2d(degradationResize(image, lrHeight, lrWidth, mode), finalSinc);
  }
  // The LR a network will see is an 8-bit picture.
  const lr = new Float32Array(image.data.length);
  for (let i = 0; i < lr.length; i++) {
    const v = image.data[i];
    lr[i] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255) / 255;
  }
  return { ...image, data: lr };
}
