import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { EnhanceError } from '../../errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../../image/formats.js';
import { cardOf, describeCard } from '../../models/modelCard.js';
import { resolveModelPath, SHIPPED_MODELS_DIR } from '../../models/modelFile.js';
import { readModelSource } from '../../models/modelSource.js';
import { loadModelRunner, releaseModelRunners } from '../../upscale/loadModelRunner.js';
import type { MemoryBudget } from '../../upscale/memoryBudget.js';
import { sizeSuffix } from '../../upscale/outputSize.js';
import { jobOptionsSchema, optionProblem } from '../../service/jobOptions.js';
import { redisUrl } from '../../service/redisConnection.js';
import { RedisJobQueue } from '../../service/redisJobQueue.js';
import { upscale, type UpscaleOptions } from '../../upscale/upscale.js';
import { DEFAULT_SCALE, upscaleOptionsSchema } from '../../upscale/upscaleOptions.js';
import type { TilingPlan } from '../../upscale/upscalePicture.js';
import { onInterrupt } from '../interrupt.js';
import { planOutputs, type PlannedOutput } from '../outputPlan.js';
import { runQueueBatch } from '../queueBatch.js';
import { queueVideos } from '../queueVideo.js';
import { positiveInteger } from '../parseOptions.js';
import { runBatch } from '../runBatch.js';
import { optionFromField } from '../schemaOption.js';
import { planVideoOutputs, splitVideos, upscaleVideos, videoFlags, videoOptionsFromFlags } from '../upscaleVideos.js';

type UpscaleOptionName = keyof typeof upscaleOptionsSchema.shape;

/**
 * The flag of each upscale option, the one place a flag is tied to its field (`--memory` sets
 * `memoryBudget`): the help, the default and the check of each come from `upscaleOptionsSchema`.
 */
export const UPSCALE_OPTION_FLAGS = {
  scale: '-s, --scale <n>',
  width: '--width <px>',
  height: '--height <px>',
  fit: '--fit <how>',
  model: '--model <name-or-file>',
  method: '-m, --method <name>',
  tile: '--tile <auto|n>',
  tilePad: '--tile-pad <n>',
  overlap: '--overlap <n>',
  memoryBudget: '--memory <MB>',
  tta: '--tta',
  alpha: '--alpha <how>',
  precision: '--precision <p>',
  threads: '--threads <n>',
} as const satisfies Record<UpscaleOptionName, string>;

function flag(name: UpscaleOptionName): Option {
  return optionFromField(UPSCALE_OPTION_FLAGS[name], upscaleOptionsSchema.shape[name]);
}

/** The upscale options among commander's parsed flags, each under the field its flag sets. */
function upscaleOptionsFromFlags(parsed: Record<string, unknown>): Pick<UpscaleOptions, UpscaleOptionName> {
  const entries = Object.entries(UPSCALE_OPTION_FLAGS).map(([name, flags]) => [name, parsed[new Option(flags).attributeName()]]);
  return Object.fromEntries(entries);
}

/** The flags of `enhance upscale` that are about the output files, not the upscale. */
interface OutputFlags {
  output?: string;
  format?: OutputFormat;
  quality?: number;
  skipExisting?: boolean;
  verbose?: boolean;
}

const MiB = 2 ** 20;

/** One line on how a picture is cut for the model and the memory planned, for --verbose. */
function describePlan(input: string, plan: TilingPlan, budget: MemoryBudget): string {
  const runs = plan.tiles === 1 ? 'the whole picture in one model run' : `${plan.tiles} tiles of ${plan.tile.width}x${plan.tile.height} (context ${plan.tilePad})`;
  const from = budget.source === 'given' ? '--memory' : 'half of the available memory; --memory sets it';
  return `enhance: ${input}: ${runs}, about ${Math.round(plan.estimatedBytes / MiB)} MB of ${Math.round(budget.bytes / MiB)} MB planned (${from})\n`;
}

/**
 * What outputs named from their inputs end with: the size asked ('_w1920', '_h1080', '_1920x1080') or
 * the factor ('_x3'), which a model file decides when nothing is asked: the model is read first (once;
 * the batch reuses it), so 'photo.png --model compact-x2' writes photo_x2.png.
 */
async function outputSuffix(chosen: Pick<UpscaleOptions, UpscaleOptionName>): Promise<string> {
  const sizeGiven = chosen.width !== undefined || chosen.height !== undefined || chosen.scale !== undefined;
  const modelScale = !sizeGiven && chosen.model ? (await loadModelRunner(chosen.model, { threads: chosen.threads, precision: chosen.precision })).scale : DEFAULT_SCALE;
  return sizeSuffix(chosen, modelScale);
}

/** The batch as jobs on a Redis queue: the options that change the picture travel with each job; tiling is each worker's. */
async function upscaleOnQueue(queueUrl: string, plan: PlannedOutput[], chosen: Pick<UpscaleOptions, UpscaleOptionName>, flags: OutputFlags, signal: AbortSignal): Promise<number> {
  if (chosen.method) throw new EnhanceError('--method runs here, not on workers: leave out --queue');
  const parsed = jobOptionsSchema.safeParse({ model: chosen.model, scale: chosen.scale, width: chosen.width, height: chosen.height, fit: chosen.fit, tta: chosen.tta, alpha: chosen.alpha, precision: chosen.precision, quality: flags.quality });
  if (!parsed.success) throw new EnhanceError(`upscale: ${optionProblem(parsed.error).message}`);
  const queue = new RedisJobQueue(redisUrl(queueUrl), { resultTtlSeconds: 24 * 3600 });
  try {
    return await runQueueBatch(queue, plan, parsed.data, signal);
  } finally {
    await queue.close();
  }
}

/**
 * A downloaded model (not one enhance wrote) is introduced in one line when it is loaded: what it was
 * recognised as, and its licence when the file, an OpenModelDB JSON beside it or its name says it.
 */
async function tellForeignModel(model: string): Promise<void> {
  if (model === 'default') return;
  const path = resolveModelPath(model);
  if (path.startsWith(SHIPPED_MODELS_DIR)) return;
  const source = await readModelSource(path);
  if (source.kind === 'network' && source.metadata?.['enhance.arch']) return;
  process.stderr.write(`enhance: ${path}: ${describeCard(await cardOf(path, source))}\n`);
}

export function upscaleCommand(): Command {
  const command = new Command('upscale');
  // Video flags (help and rules from videoOptionsSchema) come after the picture flags in the help.
  const withVideoFlags = (c: Command) => videoFlags().reduce((chain, option) => chain.addOption(option), c);
  return withVideoFlags(command
    .description('make pictures larger')
    .argument('<input...>', 'image files or folders (searched recursively), animated GIF/WebP/PNG, videos (.mp4 .mkv .webm .mov .avi)')
    .option('-o, --output <file-or-dir>', 'output file (one input) or folder; default: next to each input as <name>_x<scale>.<ext>')
    .addOption(flag('scale'))
    .addOption(flag('width').conflicts('scale'))
    .addOption(flag('height').conflicts('scale'))
    .addOption(flag('fit'))
    .addOption(flag('model'))
    .addOption(flag('method').conflicts('model'))
    .addOption(flag('tile'))
    .addOption(flag('tilePad'))
    .addOption(flag('overlap'))
    .addOption(flag('memoryBudget'))
    .addOption(flag('tta'))
    .addOption(flag('alpha'))
    .addOption(new Option('--format <format>', 'output format for outputs named from inputs').choices(OUTPUT_FORMATS))
    .addOption(new Option('--quality <n>', 'jpg/webp/avif quality, 1-100').argParser(positiveInteger))
    .option('--skip-existing', 'leave inputs whose output already exists')
    .addOption(flag('precision'))
    .addOption(flag('threads'))
    .option('--verbose', 'say how each picture is cut into model runs and how much memory that takes'),
  )
    .addOption(new Option('--queue <redis-url>', 'send one job per picture to enhance workers on a Redis queue (redis://host:port) and follow them; paths must be on storage every worker sees at the same path'))
    .addHelpText(
      'after',
      `
Examples:
  enhance upscale photo.png                       writes photo_x4.png with the default x4 model
  enhance upscale photo.jpg -o big.png --scale 2 --method lanczos
  enhance upscale photo.jpg --width 1920          1920 wide, the aspect kept (x4 model, then a bicubic shrink)
  enhance upscale photo.jpg --width 1920 --height 1080 --fit cover
                                                  exactly 1920x1080, the overflow cropped
  enhance upscale icon.png --scale 16             the x4 model twice
  enhance upscale photo.png --model RealESRGAN_x4plus.pth --tile 256
  enhance upscale shots/ -o shots_x4/ --format webp --skip-existing
                                                  a whole folder, sub-folders mirrored
  enhance upscale /mnt/photos/in -o /mnt/photos/out --queue redis://queue.lan:6379
                                                  the same, by enhance workers on many machines
  enhance upscale clip.mp4 -o clip_x4.mp4         a video: audio and subtitles copied (needs ffmpeg)
  enhance upscale episode.mkv --codec libx265 --crf 20 --resume
                                                  Ctrl-C keeps finished segments; the same command continues
  enhance upscale cam.mp4 --temporal reuse        static areas keep their pixels: no shimmer`,
    )
    .action(async (inputs: string[], options: OutputFlags & Record<string, unknown>) => {
      const chosen = upscaleOptionsFromFlags(options);
      const { videos, pictures } = splitVideos(inputs);
      const suffix = await outputSuffix(chosen);
      const videoPlan = await planVideoOutputs(videos, options.output, suffix);
      let plan = pictures.length > 0 ? await planOutputs(pictures, options.output, suffix, options.format) : [];
      if (chosen.model && options.queue === undefined) await tellForeignModel(chosen.model);
      if (options.skipExisting) {
        const before = plan.length;
        plan = plan.filter((entry) => !existsSync(entry.output));
        if (before > plan.length) process.stderr.write(`enhance: skipping ${before - plan.length} of ${before} pictures whose output exists\n`);
      }
      // Ctrl-C: the tile in progress finishes, the picture being written is dropped, the model is released.
      const controller = new AbortController();
      onInterrupt(() => controller.abort());
      if (typeof options.queue === 'string') {
        const videoFailures = videoPlan.length > 0 ? await queueVideos(options.queue, videoPlan, chosen, videoOptionsFromFlags(options), controller.signal) : 0;
        const pictureFailures = plan.length > 0 && !controller.signal.aborted ? await upscaleOnQueue(options.queue, plan, chosen, options, controller.signal) : 0;
        const failures = videoFailures + pictureFailures;
        const count = plan.length + videoPlan.length;
        if (controller.signal.aborted) process.exitCode = 130;
        else if (failures > 0) {
          if (count > 1) process.stderr.write(`enhance: ${failures} of ${count} ${videoPlan.length > 0 ? 'inputs' : 'pictures'} failed\n`);
          process.exitCode = 2;
        }
        return;
      }
      const videoFailures = videoPlan.length > 0 ? await upscaleVideos(videoPlan, chosen, videoOptionsFromFlags(options), controller.signal, options.verbose ?? false) : 0;
      const pictureFailures = await runBatch('upscale', plan, controller.signal, ({ input, output }, onProgress) =>
        upscale(input, {
          ...chosen,
          signal: controller.signal,
          onProgress,
          onPlan: options.verbose ? (tiling, budget) => process.stderr.write(describePlan(input, tiling, budget)) : undefined,
          onWarning: (message) => process.stderr.write(`enhance: ${message}\n`),
        }).toFile(output, { quality: options.quality }),
      );
      if (controller.signal.aborted) {
        await releaseModelRunners();
        // A video says itself what it left (nothing, its segments for --resume, or a shorter video).
        if (plan.length > 0) process.stderr.write('\nenhance: interrupted; no partial output was left behind\n');
        process.exitCode = 130;
        return;
      }
      const failures = videoFailures + pictureFailures;
      if (failures > 0) {
        const count = plan.length + videoPlan.length;
        if (count > 1) process.stderr.write(`enhance: ${failures} of ${count} inputs failed\n`);
        process.exitCode = 2;
      }
    });
}
