import { Command, Option } from 'commander';
import { listImageFiles } from '../../data/imageFolder.js';
import { renderComparisonGrid, srComparisonRow, type GridRow } from '../../evaluate/comparisonGrid.js';
import { evaluateDataset, type EvaluationReport } from '../../evaluate/evaluateDataset.js';
import { writeBufferAtomic } from '../../io/atomicWrite.js';
import { LPIPS_NETS, type LpipsNet } from '../../metrics/lpips.js';
import { loadMetricModels, measureNoReference, NO_REFERENCE_METRICS, SR_METRIC_NAMES, SR_METRICS, type MetricModels, type SrMetricName, type SrScores } from '../../metrics/srMetrics.js';
import { EnhanceError } from '../../errors.js';
import { readImage } from '../../image/readImage.js';
import { stat } from 'node:fs/promises';
import { RESIZE_METHODS, type ResizeMethod } from '../../resize/resizeImage.js';
import { basename, extname } from 'node:path';
import { interpolate } from '../../upscale/interpolate.js';
import { upscaleOptionsSchema, type Precision } from '../../upscale/upscaleOptions.js';
import { optionFromField } from '../schemaOption.js';
import { loadModelRunner } from '../../upscale/loadModelRunner.js';
import { listOf, nonNegativeInteger, oneOfIntegers } from '../parseOptions.js';
import { createProgress } from '../progress.js';

interface EvalOptions {
  precision: Precision;
  hr?: string;
  images?: string;
  niqeModel?: string;
  lpipsNet: LpipsNet;
  lr?: string;
  scale: number;
  method?: ResizeMethod;
  model?: string;
  metrics: SrMetricName[];
  crop?: number;
  json?: boolean;
  grid?: string;
}

function formatScore(name: SrMetricName, value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(SR_METRICS[name].digits);
}

/** A plain text table: one row per image, then the mean. */
export function formatReportTable(report: EvaluationReport, metrics: readonly SrMetricName[]): string {
  const header = ['image', ...metrics.map((m) => SR_METRICS[m].label + (SR_METRICS[m].unit ? ` (${SR_METRICS[m].unit})` : ''))];
  const line = (name: string, scores: SrScores) => [name, ...metrics.map((m) => formatScore(m, scores[SR_METRICS[m].key]))];
  const rows = [header, ...report.images.map((image) => line(image.name, image)), line('mean', report.mean)];
  const widths = header.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const render = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const title = `x${report.scale} ${report.method}, Y channel, ${report.crop}-pixel border cropped; ${report.secondsPerImage.toFixed(3)} s per picture (median, the super-resolution alone)`;
  return [title, render(header), rule, ...rows.slice(1, -1).map(render), rule, render(rows[rows.length - 1])].join('\n');
}

/** `--images`: no-reference metrics of each picture, and their mean. */
async function scoreImages(path: string, metrics: readonly SrMetricName[], crop: number, models: MetricModels, json: boolean): Promise<void> {
  const needsReference = metrics.filter((m) => !NO_REFERENCE_METRICS.includes(m));
  if (needsReference.length > 0) throw new EnhanceError(`--images scores pictures without ground truth: ${needsReference.join(', ')} need --hr (use --metrics ${NO_REFERENCE_METRICS.join(',')})`);
  const isFolder = (await stat(path).catch(() => undefined))?.isDirectory();
  const files = isFolder ? await listImageFiles(path) : [{ path, relativePath: basename(path) }];
  const progress = createProgress('eval', files.length);
  const images: ({ name: string } & SrScores)[] = [];
  for (const file of files) {
    const { image } = await readImage(file.path);
    try {
      images.push({ name: file.relativePath, ...measureNoReference(image, { crop, metrics, models }) });
    } catch (error) {
      if (error instanceof RangeError) throw new EnhanceError(`cannot be scored: ${error.message}`, { file: file.path });
      throw error;
    }
    progress.advance(file.relativePath);
  }
  progress.stop();
  const mean: SrScores = {};
  for (const m of metrics) mean[SR_METRICS[m].key] = images.reduce((sum, image) => sum + (image[SR_METRICS[m].key] ?? 0), 0) / images.length;
  if (json) {
    process.stdout.write(JSON.stringify({ crop, mean, images }) + '\n');
    return;
  }
  for (const image of [...images, { name: 'mean', ...mean }]) {
    process.stdout.write(`${image.name}  ${metrics.map((m) => `${SR_METRICS[m].label} ${formatScore(m, image[SR_METRICS[m].key])}`).join('  ')}\n`);
  }
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('measure super-resolution quality on a dataset as SR papers do (PSNR/SSIM on Y, MATLAB bicubic LR)')
    .option('--hr <dir>', 'folder of high-resolution (ground truth) images')
    .option('--images <file-or-dir>', 'score these pictures with no-reference metrics only (niqe), no ground truth')
    .option('--niqe-model <file.npz>', "NIQE's pristine model (default: the one shipped, BasicSR's niqe_pris_params.npz)")
    .addOption(new Option('--lpips-net <net>', 'the backbone of LPIPS, whose weights must be registered (enhance weights list)').choices(LPIPS_NETS).default('alex'))
    .option('--lr <dir>', 'folder of matching low-resolution images; default: made from HR with the MATLAB bicubic')
    .addOption(new Option('-s, --scale <n>', 'SR factor').argParser(oneOfIntegers([2, 3, 4, 8])).default(4))
    .addOption(new Option('-m, --method <name>', 'classical method to evaluate (default bicubic, when no --model)').choices(RESIZE_METHODS).conflicts('model'))
    .option('--model <name-or-file>', "a model to evaluate: a shipped model's name, 'default', or a model file")
    .addOption(optionFromField('--precision <p>', upscaleOptionsSchema.shape.precision))
    .addOption(
      new Option('--metrics <list>', `comma-separated, from ${SR_METRIC_NAMES.join(', ')}`)
        .argParser(listOf(SR_METRIC_NAMES))
        .default(['psnr', 'ssim'] as SrMetricName[], 'psnr,ssim'),
    )
    .addOption(new Option('--crop <n>', 'border pixels ignored on each side (default: the scale)').argParser(nonNegativeInteger))
    .option('--json', 'print one JSON object on stdout instead of a table')
    .option('--grid <file.png>', 'also write a picture with LR (nearest) | SR | HR side by side for every image')
    .addHelpText(
      'after',
      `
Examples:
  enhance eval --hr datasets/Set5/hr --scale 4                      bicubic baseline: PSNR-Y 28.42 dB
  enhance eval --hr Set14/hr --lr Set14/lr_x4 --scale 4 --json
  enhance eval --hr Set5/hr --method lanczos --grid set5_x4.png
  enhance eval --hr Set5/hr --scale 4 --model default --json             the shipped x4 model
  enhance eval --hr Set14/hr --model default --metrics psnr,ssim,niqe --json
  enhance eval --hr Set14/hr --model default --metrics psnr,lpips --json  LPIPS needs registered weights (enhance weights list)
  enhance eval --images results/ --metrics niqe --crop 0 --json          no-reference scores of any pictures`,
    )
    .action(async (options: EvalOptions) => {
      const { scale, metrics } = options;
      const models = await loadMetricModels(metrics, { niqeModel: options.niqeModel, lpipsNet: options.lpipsNet });
      if (options.images !== undefined) return scoreImages(options.images, metrics, options.crop ?? 0, models, options.json ?? false);
      if (options.hr === undefined) throw new EnhanceError('give --hr <dir> (SR against ground truth) or --images <file-or-dir> (no-reference scores)');
      const hr = options.hr;
      const runner = options.model ? await loadModelRunner(options.model, { scale, precision: options.precision }) : undefined;
      const method = options.model ? (options.model === 'default' ? `default-x${scale}` : basename(options.model, extname(options.model))) : options.method ?? 'bicubic';
      const classical = options.method ?? 'bicubic';
      const total = (await listImageFiles(hr)).length;
      const progress = createProgress('eval', total);
      const gridRows: GridRow[] = [];
      const report = await evaluateDataset({
        hr,
        lr: options.lr,
        scale,
        crop: options.crop,
        metrics,
        models,
        method,
        superResolve: (lr) => (runner ? runner.upscale(lr) : interpolate(lr, scale, classical)),
        onImage: (pair, sr, scores) => {
          progress.advance(pair.name);
          if (!options.grid) return;
          const scoreText = metrics.map((m) => `${formatScore(m, scores[SR_METRICS[m].key])}${SR_METRICS[m].unit ? ' ' + SR_METRICS[m].unit : ''}`);
          gridRows.push(srComparisonRow({ title: `${pair.name}  x${scale}`, lr: pair.lr, sr, hr: pair.hr, srLabel: `${method}  ${scoreText.join(' / ')}`, scale }));
        },
      });
      progress.stop();
      if (options.grid) await writeBufferAtomic(options.grid, await renderComparisonGrid(gridRows));
      process.stdout.write(options.json ? JSON.stringify(report) + '\n' : formatReportTable(report, metrics) + '\n');
    });
}
