import { loadSrPairs, type SrPair, type SrPairSource } from '../data/srPairs.js';
import type { ImageTensor } from '../image/tensor.js';
import { measureSrWithNetworks, SR_METRICS, type MetricModels, type SrMetricName, type SrScores } from '../metrics/srMetrics.js';

export interface EvaluationOptions extends SrPairSource {
  /** Name reported for the SR method, e.g. 'bicubic' or a model name. */
  method: string;
  /** Makes the SR image from the LR image (must return scale x its size). */
  superResolve: (lr: ImageTensor) => Promise<ImageTensor> | ImageTensor;
  metrics: readonly SrMetricName[];
  /** Border removed before measuring; default: the scale. */
  crop?: number;
  /** Models of the model-based metrics (NIQE, LPIPS), from `loadMetricModels`. */
  models?: MetricModels;
  /** Called after each image, e.g. to draw a comparison grid or progress. */
  onImage?: (pair: SrPair, sr: ImageTensor, scores: SrScores) => void | Promise<void>;
}

export interface EvaluationReport {
  scale: number;
  method: string;
  crop: number;
  /** Mean of each metric over images (SR papers average per-image PSNR, not MSE). */
  mean: SrScores;
  /** Median seconds of one super-resolution (the model's run alone, not loading or scoring). */
  secondsPerImage: number;
  images: ({ name: string; seconds: number } & SrScores)[];
}

export async function evaluateDataset(options: EvaluationOptions): Promise<EvaluationReport> {
  const crop = options.crop ?? options.scale;
  const images: EvaluationReport['images'] = [];
  for await (const pair of loadSrPairs(options)) {
    const started = performance.now();
    const sr = await options.superResolve(pair.lr);
    const seconds = (performance.now() - started) / 1000;
    const scores = await measureSrWithNetworks(sr, pair.hr, { crop, metrics: options.metrics, models: options.models });
    images.push({ name: pair.name, seconds, ...scores });
    await options.onImage?.(pair, sr, scores);
  }
  const mean: SrScores = {};
  for (const name of options.metrics) {
    const key = SR_METRICS[name].key;
    mean[key] = images.reduce((sum, image) => sum + (image[key] ?? 0), 0) / images.length;
  }
  const times = images.map((image) => image.seconds).sort((a, b) => a - b);
  return { scale: options.scale, method: options.method, crop, mean, secondsPerImage: times[Math.floor(times.length / 2)] ?? 0, images };
}
