/**
 * The curves of a training run, read off its log lines: what each chart of the training page plots. Pure.
 */
import type { TrainLogLine } from '../../src/runs/runFolderFormat.js';

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
}

export interface RunSeries {
  /** The total loss and every generator term (`g_*`, or any term of a multi-term run without a discriminator). */
  generator: ChartSeries[];
  /** The discriminator's terms (`d_*`), GAN runs only. */
  discriminator: ChartSeries[];
  psnrY: ChartSeries[];
  ssimY: ChartSeries[];
  niqe: ChartSeries[];
}

/** Appends (x, y) to the series called `name` (created on first use); skips a missing or non-finite y. */
function push(series: Map<string, ChartPoint[]>, name: string, x: number, y: number | undefined): void {
  if (typeof y !== 'number' || !Number.isFinite(y)) return;
  let points = series.get(name);
  if (!points) series.set(name, (points = []));
  points.push({ x, y });
}

function toSeries(series: Map<string, ChartPoint[]>): ChartSeries[] {
  return [...series].map(([name, points]) => ({ name, points }));
}

export function runSeries(log: readonly TrainLogLine[]): RunSeries {
  const generator = new Map<string, ChartPoint[]>([['loss', []]]);
  const discriminator = new Map<string, ChartPoint[]>();
  const psnrY = new Map<string, ChartPoint[]>();
  const ssimY = new Map<string, ChartPoint[]>();
  const niqe = new Map<string, ChartPoint[]>();
  for (const line of log) {
    push(generator, 'loss', line.step, line.loss);
    for (const [key, value] of Object.entries(line.terms ?? {})) {
      push(key.startsWith('d_') ? discriminator : generator, key, line.step, value);
    }
    if (line.val) {
      push(psnrY, 'PSNR-Y', line.step, line.val.psnrY);
      push(ssimY, 'SSIM-Y', line.step, line.val.ssimY);
      push(niqe, 'NIQE', line.step, line.val.niqe);
    }
  }
  return { generator: toSeries(generator), discriminator: toSeries(discriminator), psnrY: toSeries(psnrY), ssimY: toSeries(ssimY), niqe: toSeries(niqe) };
}
