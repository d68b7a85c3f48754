import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Option } from 'commander';
import { EnhanceError, isCancelledError, isEnhanceError } from '../errors.js';
import type { UpscaleOptions } from '../upscale/upscale.js';
import { isVideoPath, videoContainerOf } from '../video/videoFormats.js';
import { videoOptionsSchema, type VideoFlagOptions } from '../video/videoOptions.js';
import { upscaleVideo, type VideoOptions } from '../video/upscaleVideo.js';
import type { PlannedOutput } from './outputPlan.js';
import { optionFromField } from './schemaOption.js';
import { createFrameProgress } from './videoProgress.js';

type VideoOptionName = keyof typeof videoOptionsSchema.shape;

/** The flag of each video option, tied to its field once (help, default and check come from `videoOptionsSchema`). */
export const VIDEO_OPTION_FLAGS = {
  codec: '--codec <encoder>',
  crf: '--crf <n>',
  preset: '--preset <name>',
  segmentSeconds: '--segment <seconds>',
  resume: '--resume',
  keepPartial: '--keep-partial',
  temporal: '--temporal <mode>',
  staticThreshold: '--static-threshold <levels>',
} as const satisfies Record<VideoOptionName, string>;

export function videoFlags(): Option[] {
  return Object.entries(VIDEO_OPTION_FLAGS).map(([name, flags]) => optionFromField(flags, videoOptionsSchema.shape[name as VideoOptionName]));
}

export function videoOptionsFromFlags(parsed: Record<string, unknown>): VideoFlagOptions {
  const entries = Object.entries(VIDEO_OPTION_FLAGS).map(([name, flags]) => [name, parsed[new Option(flags).attributeName()]]);
  return videoOptionsSchema.parse(Object.fromEntries(entries.filter(([, value]) => value !== undefined)));
}

export function splitVideos(inputs: readonly string[]): { videos: string[]; pictures: string[] } {
  return { videos: inputs.filter(isVideoPath), pictures: inputs.filter((input) => !isVideoPath(input)) };
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** The extension of a video output named from its input: the input's when enhance writes that container, else .mkv (holds anything). */
function videoExtension(input: string): string {
  return videoContainerOf(input) ? extname(input) : '.mkv';
}

/** Where each video's result goes: `output` itself for one video and a video name, else `<folder or beside>/<stem><suffix>.<ext>`. */
export async function planVideoOutputs(videos: readonly string[], output: string | undefined, suffix: string): Promise<PlannedOutput[]> {
  if (videos.length === 0) return [];
  if (output !== undefined && !(await isDirectory(output)) && extname(output) !== '') {
    if (!videoContainerOf(output)) throw new EnhanceError('unknown video format: use a .mp4, .mkv or .webm extension', { file: output });
    if (videos.length > 1) throw new EnhanceError(`is a file name, but there are ${videos.length} videos: give a folder with -o`, { file: output });
    return [{ input: videos[0], output }];
  }
  return videos.map((input) => {
    const stem = basename(input, extname(input));
    const name = output === undefined ? `${stem}${suffix}${videoExtension(input)}` : `${stem}${videoExtension(input)}`;
    return { input, output: join(output ?? dirname(input), name) };
  });
}

/**
 * Upscale each video in turn (one failing is one line, the others go on); returns the failures.
 * A cancel ends the batch, the video in progress leaving nothing (or its parts with --resume, or a
 * shorter video with --keep-partial).
 */
export async function upscaleVideos(
  plan: readonly PlannedOutput[],
  picture: Omit<UpscaleOptions, 'signal' | 'onProgress' | 'onPlan' | 'onWarning'>,
  video: VideoFlagOptions,
  signal: AbortSignal,
  verbose: boolean,
): Promise<number> {
  let failures = 0;
  for (const { input, output } of plan) {
    if (signal.aborted) break;
    const progress = createFrameProgress(basename(input));
    const options: VideoOptions = {
      ...picture,
      codec: video.codec,
      crf: video.crf,
      preset: video.preset,
      segmentSeconds: video.segmentSeconds,
      resume: video.resume,
      keepPartial: video.keepPartial,
      temporal: video.temporal,
      reuse: { threshold: video.staticThreshold },
      signal,
      onProgress: (p) => progress.update(p),
      onWarning: (message) => process.stderr.write(`enhance: ${message}\n`),
      onPlan: verbose ? (description) => process.stderr.write(`enhance: ${description}\n`) : undefined,
    };
    try {
      const result = await upscaleVideo(input, output, options);
      progress.stop();
      process.stderr.write(`enhance: ${input} -> ${output} (${result.frames} frames, ${result.width}x${result.height})\n`);
      if (verbose && result.reuse) process.stderr.write(`enhance: ${input}: ${result.reuse.skippedFrames} static frames reused whole\n`);
    } catch (error) {
      progress.stop();
      if (isCancelledError(error) || signal.aborted) {
        if (video.keepPartial) process.stderr.write(`\nenhance: interrupted; the frames done so far are in ${output}\n`);
        else if (video.resume) process.stderr.write(`\nenhance: interrupted; the finished segments are kept: run the same command again to continue\n`);
        else process.stderr.write('\nenhance: interrupted; no partial output was left behind\n');
        break;
      }
      if (!isEnhanceError(error)) throw error;
      failures++;
      process.stderr.write(`enhance: ${error.message}\n`);
    }
  }
  return failures;
}
