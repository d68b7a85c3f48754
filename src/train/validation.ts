import type { SrPair } from '../data/srPairs.js';
import { renderComparisonGrid, srComparisonRow, type GridRow } from '../evaluate/comparisonGrid.js';
import { measureSr, type MetricModels, type SrMetricName } from '../metrics/srMetrics.js';
import type { ModelSpec } from '../architectures/registry.js';
import type { StateDict } from '../nn/buildContext.js';
import type { ValidationScores } from '../runs/runFolderFormat.js';
import { ModelRunner } from '../upscale/modelRunner.js';
import { openThreadedBackend } from '../upscale/threadedBackend.js';

/** What a validation writes to the log: PSNR and SSIM always, NIQE for GAN and real-world runs. */
export type Validation = Required<Pick<ValidationScores, 'psnrY' | 'ssimY'>> & Pick<ValidationScores, 'niqe'>;

/** The pictures a run is validated on, the metrics it is judged by (PSNR-Y and SSIM-Y, maybe NIQE) and their models. */
export interface ValidationSet {
  pairs: readonly SrPair[];
  metrics: readonly SrMetricName[];
  models: MetricModels;
}

/** A sample grid shows the first pictures only: enough to see how the run goes, small enough to open. */
const GRID_ROWS = 3;

/**
 * The network with `weights` run over the validation pictures as `enhance upscale` would (tiles, a
 * float result), scored as the published tables (Y channel, `scale` pixels of border cropped): the mean
 * scores and a sample grid of the first pictures. The set must hold at least one picture.
 */
export async function validate(
  spec: ModelSpec,
  weights: StateDict,
  set: ValidationSet,
  options: { step: number; threads?: number },
): Promise<{ scores: Validation; grid: Buffer }> {
  const runner = await ModelRunner.create(openThreadedBackend({ threads: options.threads }), spec, weights);
  const sums = { psnrY: 0, ssimY: 0, niqe: 0 };
  const rows: GridRow[] = [];
  try {
    for (const pair of set.pairs) {
      const sr = await runner.upscale(pair.lr);
      const scores = measureSr(sr, pair.hr, { crop: spec.scale, metrics: set.metrics, models: set.models });
      sums.psnrY += scores.psnrY!;
      sums.ssimY += scores.ssimY!;
      sums.niqe += scores.niqe ?? 0;
      if (rows.length < GRID_ROWS) {
        const srLabel = `SR ${scores.psnrY!.toFixed(2)} dB / ${scores.ssimY!.toFixed(4)}`;
        rows.push(srComparisonRow({ title: `${pair.name}  step ${options.step}`, lr: pair.lr, sr, hr: pair.hr, srLabel, scale: spec.scale }));
      }
    }
  } finally {
    await runner.release();
  }
  const n = set.pairs.length;
  const scores: Validation = { psnrY: sums.psnrY / n, ssimY: sums.ssimY / n, ...(set.metrics.includes('niqe') ? { niqe: sums.niqe / n } : {}) };
  return { scores, grid: await renderComparisonGrid(rows) };
}
