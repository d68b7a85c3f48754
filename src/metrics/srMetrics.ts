import type { ImageTensor } from '../image/tensor.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluationPlane } from './evaluationPlane.js';
import { loadNiqePristineModel, niqe, type NiqePristineModel } from './niqe.js';
import { hfen } from './hfen.js';
import { loadLpipsMetric, type LpipsMetric, type LpipsNet } from './lpips.js';
import { mse } from './mse.js';
import type { Plane } from './plane.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';

/**
 * SR metrics. Full-reference ones are measured on the evaluation plane (Y or gray, uint8 levels,
 * border cropped), except LPIPS, a network run on RGB; no-reference ones (NIQE) score the SR picture alone.
 */
export const SR_METRICS = {
  psnr: { key: 'psnrY', label: 'PSNR-Y', unit: 'dB', digits: 2, higherIsBetter: true, measure: psnr },
  ssim: { key: 'ssimY', label: 'SSIM-Y', unit: '', digits: 4, higherIsBetter: true, measure: ssim },
  hfen: { key: 'hfenY', label: 'HFEN-Y', unit: '', digits: 4, higherIsBetter: false, measure: hfen },
  mse: { key: 'mseY', label: 'MSE-Y', unit: '', digits: 2, higherIsBetter: false, measure: mse },
  niqe: { key: 'niqe', label: 'NIQE', unit: '', digits: 4, higherIsBetter: false, measure: undefined },
  lpips: { key: 'lpips', label: 'LPIPS', unit: '', digits: 4, higherIsBetter: false, measure: undefined },
} as const satisfies Record<string, { key: string; label: string; unit: string; digits: number; higherIsBetter: boolean; measure: ((sr: Plane, hr: Plane) => number) | undefined }>;

/** Metrics that need no ground truth. */
export const NO_REFERENCE_METRICS: readonly SrMetricName[] = ['niqe'];

/** The NIQE model shipped with enhance (BasicSR's niqe_pris_params.npz, from Mittal et al. 2013). */
export const DEFAULT_NIQE_MODEL = resolve(dirname(fileURLToPath(import.meta.url)), '../../models/niqe_pris_params.npz');

/** What the model-based metrics need (NIQE's pristine model, LPIPS's networks), loaded once. */
export interface MetricModels {
  niqe?: NiqePristineModel;
  lpips?: LpipsMetric;
}

/** Load the models the chosen metrics need; LPIPS's weights come from the weights registry. */
export async function loadMetricModels(metrics: readonly SrMetricName[], options: { niqeModel?: string; lpipsNet?: LpipsNet } = {}): Promise<MetricModels> {
  const models: MetricModels = {};
  if (metrics.includes('niqe')) models.niqe = await loadNiqePristineModel(options.niqeModel ?? DEFAULT_NIQE_MODEL);
  if (metrics.includes('lpips')) models.lpips = await loadLpipsMetric(options.lpipsNet ?? 'alex');
  return models;
}

/** Score a picture with the no-reference metrics among `metrics` (NIQE on Y, `crop` pixels removed at each border). */
export function measureNoReference(image: ImageTensor, options: { crop: number; metrics: readonly SrMetricName[]; models: MetricModels }): SrScores {
  const scores: SrScores = {};
  if (options.metrics.includes('niqe')) {
    if (!options.models.niqe) throw new Error('measureNoReference: NIQE needs its pristine model (loadMetricModels)');
    scores.niqe = niqe(image, { crop: options.crop, pristine: options.models.niqe });
  }
  return scores;
}

export type SrMetricName = keyof typeof SR_METRICS;
export const SR_METRIC_NAMES = Object.keys(SR_METRICS) as SrMetricName[];
export type SrScores = Partial<Record<(typeof SR_METRICS)[SrMetricName]['key'], number>>;

/**
 * Score an SR result against its HR image the way SR papers do: both rounded to uint8, Y channel
 * (MATLAB rgb2ycbcr) or the gray channel, `crop` pixels removed at every border (usually the scale).
 * LPIPS runs a network, asynchronously: `measureSrWithNetworks` scores it too.
 */
export function measureSr(sr: ImageTensor, hr: ImageTensor, options: { crop: number; metrics: readonly SrMetricName[]; models?: MetricModels }): SrScores {
  if (options.metrics.includes('lpips')) throw new Error('measureSr: LPIPS runs a network; use measureSrWithNetworks');
  if (sr.height !== hr.height || sr.width !== hr.width) {
    throw new RangeError(`measureSr: SR is ${sr.width}x${sr.height} but HR is ${hr.width}x${hr.height}`);
  }
  const a = evaluationPlane(sr, options.crop);
  const b = evaluationPlane(hr, options.crop);
  const scores: SrScores = measureNoReference(sr, { crop: options.crop, metrics: options.metrics, models: options.models ?? {} });
  for (const name of options.metrics) {
    const measure = SR_METRICS[name].measure;
    if (measure) scores[SR_METRICS[name].key] = measure(a, b);
  }
  return scores;
}

/** `measureSr` and LPIPS (RGB, uint8 levels, `crop` pixels removed at every border). */
export async function measureSrWithNetworks(sr: ImageTensor, hr: ImageTensor, options: { crop: number; metrics: readonly SrMetricName[]; models?: MetricModels }): Promise<SrScores> {
  const scores = measureSr(sr, hr, { ...options, metrics: options.metrics.filter((name) => name !== 'lpips') });
  if (options.metrics.includes('lpips')) {
    if (!options.models?.lpips) throw new Error('measureSrWithNetworks: LPIPS needs its networks (loadMetricModels)');
    scores.lpips = await options.models.lpips.distance(sr, hr, { crop: options.crop });
  }
  return scores;
}
