import type { ImageTensor } from '../image/tensor.js';
import { evaluationPlane } from './evaluationPlane.js';
import { hfen } from './hfen.js';
import { mse } from './mse.js';
import type { Plane } from './plane.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';

/** Full-reference SR metrics, each measured on the evaluation plane (Y or gray, uint8 levels, border cropped). */
export const SR_METRICS = {
  psnr: { key: 'psnrY', label: 'PSNR-Y', unit: 'dB', digits: 2, higherIsBetter: true, measure: psnr },
  ssim: { key: 'ssimY', label: 'SSIM-Y', unit: '', digits: 4, higherIsBetter: true, measure: ssim },
  hfen: { key: 'hfenY', label: 'HFEN-Y', unit: '', digits: 4, higherIsBetter: false, measure: hfen },
  mse: { key: 'mseY', label: 'MSE-Y', unit: '', digits: 2, higherIsBetter: false, measure: mse },
} as const satisfies Record<string, { key: string; label: string; unit: string; digits: number; higherIsBetter: boolean; measure: (sr: Plane, hr: Plane) => number }>;

export type SrMetricName = keyof typeof SR_METRICS;
export const SR_METRIC_NAMES = Object.keys(SR_METRICS) as SrMetricName[];
export type SrScores = Partial<Record<(typeof SR_METRICS)[SrMetricName]['key'], number>>;

/**
 * Score an SR result against its HR image the way SR papers do: both rounded to uint8, Y channel
 * (MATLAB rgb2ycbcr) or the gray channel, `crop` pixels removed at every border (usually the scale).
 */
export function measureSr(sr: ImageTensor, hr: ImageTensor, options: { crop: number; metrics: readonly SrMetricName[] }): SrScores {
  if (sr.height !== hr.height || sr.width !== hr.width) {
    throw new RangeError(`measureSr: SR is ${sr.width}x${sr.height} but HR is ${hr.width}x${hr.height}`);
  }
  const a = evaluationPlane(sr, options.crop);
  const b = evaluationPlane(hr, options.crop);
  const scores: SrScores = {};
  for (const name of options.metrics) scores[SR_METRICS[name].key] = SR_METRICS[name].measure(a, b);
  return scores;
}
