import { Command, Option } from 'commander';
import { listImageFiles } from '../../data/imageFolder.js';
import { renderComparisonGrid, type GridRow } from '../../evaluate/comparisonGrid.js';
import { evaluateDataset, type EvaluationReport } from '../../evaluate/evaluateDataset.js';
import { writeBufferAtomic } from '../../io/atomicWrite.js';
import { SR_METRIC_NAMES, SR_METRICS, type SrMetricName, type SrScores } from '../../metrics/srMetrics.js';
import { RESIZE_METHODS, resizeImage, type ResizeMethod } from '../../resize/resizeImage.js';
import { basename, extname } from 'node:path';
import { interpolate } from '../../upscale/interpolate.js';
import { loadModelRunner } from '../../upscale/loadModelRunner.js';
import { listOf, nonNegativeInteger, oneOfIntegers } from '../parseOptions.js';
import { createProgress } from '../progress.js';

interface EvalOptions {
  hr: string;
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
  const title = `x${report.scale} ${report.method}, Y channel, ${report.crop}-pixel border cropped`;
  return [title, render(header), rule, ...rows.slice(1, -1).map(render), rule, render(rows[rows.length - 1])].join('\n');
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('measure super-resolution quality on a dataset as SR papers do (PSNR/SSIM on Y, MATLAB bicubic LR)')
    .requiredOption('--hr <dir>', 'folder of high-resolution (ground truth) images')
    .option('--lr <dir>', 'folder of matching low-resolution images; default: made from HR with the MATLAB bicubic')
    .addOption(new Option('-s, --scale <n>', 'SR factor').argParser(oneOfIntegers([2, 3, 4, 8])).default(4))
    .addOption(new Option('-m, --method <name>', 'classical method to evaluate (default bicubic, when no --model)').choices(RESIZE_METHODS).conflicts('model'))
    .option('--model <name-or-file>', "a model to evaluate: a shipped model's name, 'default', or a model file")
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
  enhance eval --hr Set5/hr --scale 4 --model default --json             the shipped x4 model`,
    )
    .action(async (options: EvalOptions) => {
      const { scale, metrics } = options;
      const runner = options.model ? await loadModelRunner(options.model, { scale }) : undefined;
      const method = options.model ? (options.model === 'default' ? `default-x${scale}` : basename(options.model, extname(options.model))) : options.method ?? 'bicubic';
      const classical = options.method ?? 'bicubic';
      const total = (await listImageFiles(options.hr)).length;
      const progress = createProgress('eval', total);
      const gridRows: GridRow[] = [];
      const report = await evaluateDataset({
        hr: options.hr,
        lr: options.lr,
        scale,
        crop: options.crop,
        metrics,
        method,
        superResolve: (lr) => (runner ? runner.upscale(lr) : interpolate(lr, scale, classical)),
        onImage: (pair, sr, scores) => {
          progress.advance(pair.name);
          if (!options.grid) return;
          const scoreText = metrics.map((m) => `${formatScore(m, scores[SR_METRICS[m].key])}${SR_METRICS[m].unit ? ' ' + SR_METRICS[m].unit : ''}`);
          gridRows.push({
            title: `${pair.name}  x${scale}`,
            panels: [
              { label: `LR (nearest x${scale})`, image: resizeImage(pair.lr, { height: pair.hr.height, width: pair.hr.width, method: 'nearest' }) },
              { label: `${method}  ${scoreText.join(' / ')}`, image: sr },
              { label: 'HR', image: pair.hr },
            ],
          });
        },
      });
      progress.stop();
      if (options.grid) await writeBufferAtomic(options.grid, await renderComparisonGrid(gridRows));
      process.stdout.write(options.json ? JSON.stringify(report) + '\n' : formatReportTable(report, metrics) + '\n');
    });
}
