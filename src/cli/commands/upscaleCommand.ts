import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { OUTPUT_FORMATS, type OutputFormat } from '../../image/formats.js';
import { RESIZE_METHODS, type ResizeMethod } from '../../resize/resizeImage.js';
import { loadModelRunner, releaseModelRunners } from '../../upscale/loadModelRunner.js';
import type { MemoryBudget } from '../../upscale/memoryBudget.js';
import { upscale, UPSCALE_FACTORS } from '../../upscale/upscale.js';
import type { TilingPlan } from '../../upscale/upscalePicture.js';
import { onInterrupt } from '../interrupt.js';
import { planOutputs } from '../outputPlan.js';
import { nonNegativeInteger, oneOfIntegers, positiveInteger } from '../parseOptions.js';
import { runBatch } from '../runBatch.js';

interface UpscaleCliOptions {
  output?: string;
  scale?: 2 | 3 | 4 | 8;
  method?: ResizeMethod;
  model?: string;
  tile: 'auto' | number;
  tilePad?: number;
  overlap?: number;
  memory?: number;
  tta?: boolean;
  alpha: 'model' | 'bicubic';
  format?: OutputFormat;
  quality?: number;
  skipExisting?: boolean;
  threads?: number;
  verbose?: boolean;
}

const MiB = 2 ** 20;

/** One line on how a picture is cut for the model and the memory planned, for --verbose. */
function describePlan(input: string, plan: TilingPlan, budget: MemoryBudget): string {
  const runs = plan.tiles === 1 ? 'the whole picture in one model run' : `${plan.tiles} tiles of ${plan.tile.width}x${plan.tile.height} (context ${plan.pad})`;
  const from = budget.source === 'given' ? '--memory' : 'half of the available memory; --memory sets it';
  return `enhance: ${input}: ${runs}, about ${Math.round(plan.estimatedBytes / MiB)} MB of ${Math.round(budget.bytes / MiB)} MB planned (${from})\n`;
}

function tileSize(value: string): 'auto' | number {
  if (value === 'auto') return 'auto';
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 16) throw new InvalidArgumentError("must be 'auto' or a whole number >= 16");
  return parsed;
}

export function upscaleCommand(): Command {
  return new Command('upscale')
    .description('make pictures larger')
    .argument('<input...>', 'image files or folders (searched recursively)')
    .option('-o, --output <file-or-dir>', 'output file (one input) or folder; default: next to each input as <name>_x<scale>.<ext>')
    .addOption(new Option('-s, --scale <n>', "enlargement factor (default: the model's, or 4)").argParser(oneOfIntegers(UPSCALE_FACTORS)))
    .option('--model <name-or-file>', 'a shipped model (see enhance models) or a model file: .safetensors, .pth, .onnx, ncnn .param, TF.js model.json')
    .addOption(new Option('-m, --method <name>', 'classical interpolation instead of a model').choices(RESIZE_METHODS).conflicts('model'))
    .addOption(new Option('--tile <auto|n>', 'tile size in input pixels; auto: the largest that fits --memory').default('auto').argParser(tileSize))
    .addOption(new Option('--tile-pad <n>', "context around each tile (default: the model's receptive field, at most 32)").argParser(nonNegativeInteger))
    .addOption(new Option('--overlap <n>', 'pixels neighbouring tiles blend across (default 8)').argParser(nonNegativeInteger))
    .addOption(new Option('--memory <MB>', 'working memory for the tiles in MB, sizes auto tiles (default: half of the available memory)').argParser(positiveInteger))
    .option('--tta', 'test-time augmentation: average the 8 flips/rotations (8x slower, slightly sharper)')
    .addOption(new Option('--alpha <how>', 'how transparency is enlarged').choices(['model', 'bicubic']).default('model'))
    .addOption(new Option('--format <format>', 'output format for outputs named from inputs').choices(OUTPUT_FORMATS))
    .addOption(new Option('--quality <n>', 'jpg/webp/avif quality, 1-100').argParser(positiveInteger))
    .option('--skip-existing', 'leave inputs whose output already exists')
    .addOption(new Option('--threads <n>', 'threads for the model (default: all cores)').argParser(positiveInteger))
    .option('--verbose', 'say how each picture is cut into model runs and how much memory that takes')
    .addHelpText(
      'after',
      `
Examples:
  enhance upscale photo.png                       writes photo_x4.png with the default x4 model
  enhance upscale photo.jpg -o big.png --scale 2 --method lanczos
  enhance upscale photo.png --model RealESRGAN_x4plus.pth --tile 256
  enhance upscale shots/ -o shots_x4/ --format webp --skip-existing
                                                  a whole folder, sub-folders mirrored`,
    )
    .action(async (inputs: string[], options: UpscaleCliOptions) => {
      // Outputs are named by the scale, which a model file decides when --scale is not given: the
      // model is read first (once; the batch reuses it), so 'photo.png --model compact-x2' writes photo_x2.png.
      const scale = options.scale ?? (options.model ? (await loadModelRunner(options.model, { threads: options.threads })).scale : 4);
      let plan = await planOutputs(inputs, options.output, `_x${scale}`, options.format);
      if (options.skipExisting) {
        const before = plan.length;
        plan = plan.filter((entry) => !existsSync(entry.output));
        if (before > plan.length) process.stderr.write(`enhance: skipping ${before - plan.length} of ${before} pictures whose output exists\n`);
      }
      // Ctrl-C: the tile in progress finishes, the picture being written is dropped, the model is released.
      const controller = new AbortController();
      onInterrupt(() => controller.abort());
      const failures = await runBatch('upscale', plan, controller.signal, ({ input, output }, onProgress) =>
        upscale(input, {
          scale: options.scale,
          method: options.method,
          model: options.model,
          tile: options.tile,
          tilePad: options.tilePad,
          overlap: options.overlap,
          memoryBudget: options.memory,
          tta: options.tta,
          alpha: options.alpha,
          threads: options.threads,
          signal: controller.signal,
          onProgress,
          onPlan: options.verbose ? (tiling, budget) => process.stderr.write(describePlan(input, tiling, budget)) : undefined,
          onWarning: (message) => process.stderr.write(`enhance: ${message}\n`),
        }).toFile(output, { quality: options.quality }),
      );
      if (controller.signal.aborted) {
        await releaseModelRunners();
        process.stderr.write('\nenhance: interrupted; no partial output was left behind\n');
        process.exitCode = 130;
        return;
      }
      if (failures > 0) {
        if (plan.length > 1) process.stderr.write(`enhance: ${failures} of ${plan.length} pictures failed\n`);
        process.exitCode = 2;
      }
    });
}
