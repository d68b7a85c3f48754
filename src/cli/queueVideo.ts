import { existsSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { readFile, realpath } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { CancelledError, EnhanceError, isCancelledError, isEnhanceError } from '../errors.js';
import type { JobStatus } from '../service/jobData.js';
import { fileDigest, jobKey, optionProblem, videoJobOptionsSchema, type VideoJobOptions } from '../service/jobOptions.js';
import type { JobQueue } from '../service/jobQueue.js';
import { redisUrl } from '../service/redisConnection.js';
import { RedisJobQueue } from '../service/redisJobQueue.js';
import { planSegments, segmentFramesFor, segmentsToJoin, type SegmentRange } from '../service/videoSegmentPlan.js';
import { waitForJob } from '../service/waitForJob.js';
import type { UpscaleOptions } from '../upscale/upscale.js';
import { encodeSettingsFor } from '../video/encodeSettings.js';
import { muxSegments } from '../video/muxVideo.js';
import { probeVideo } from '../video/probeVideo.js';
import { inputIdentity, openVideoParts, segmentFiles, type PartsIdentity, type VideoParts } from '../video/videoParts.js';
import { videoContainerOf } from '../video/videoFormats.js';
import type { VideoFlagOptions } from '../video/videoOptions.js';
import type { PlannedOutput } from './outputPlan.js';
import { createProgress } from './progress.js';

export interface QueuedVideoHooks {
  onWarning?: (message: string) => void;
  /** Told, after a cancel, how many segment jobs had not ended and were cancelled. */
  onCancelled?: (openJobs: number) => void;
}

export interface QueuedVideoResult {
  /** Segment files joined. */
  segments: number;
  /** Segment jobs run by workers this time (the others were there from an earlier run). */
  queued: number;
}

/** Options in one order, so the same options give the same parts identity whatever order they came in. */
const sortedOptions = (options: VideoJobOptions) => Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));

/**
 * The parts folder beside the output, continued when it holds segments of this very work (a re-run of
 * the same command), else started over: parts of other work cannot be joined with these.
 */
async function openQueuedParts(output: string, identity: PartsIdentity, extension: string, onWarning?: (message: string) => void): Promise<VideoParts> {
  try {
    return await openVideoParts(output, identity, extension, true);
  } catch (error) {
    if (!isEnhanceError(error)) throw error;
    onWarning?.(`${error.message.replace(/; run without --resume.*$/, '')}: removed, starting over`);
    return openVideoParts(output, identity, extension, false);
  }
}

/** The identity openVideoParts wrote into parts.json: the token each job carries, checked by its worker. */
async function partsIdentityOf(parts: VideoParts): Promise<string> {
  return (JSON.parse(await readFile(join(parts.dir, 'parts.json'), 'utf8')) as { identity: string }).identity;
}

const framesText = (s: SegmentRange) => `frames ${s.start}-${s.end !== undefined ? s.end - 1 : 'end'}`;

/**
 * One video upscaled by `enhance worker`s on a queue: probed and planned here (no model is loaded
 * here: the workers resolve it by name), one job per segment missing from the parts folder beside the
 * output (a re-run of the same command continues), followed with one progress bar over the segments,
 * then the segments joined with the source's audio and subtitles into `output`, and the parts removed.
 * A failed segment is one EnhanceError naming the video and the segment, the parts kept; a cancel
 * (`signal`) cancels the segment jobs that have not ended, keeps the parts, and throws CancelledError.
 */
export async function upscaleVideoOnQueue(queue: JobQueue, input: string, output: string, options: VideoJobOptions, signal: AbortSignal, hooks: QueuedVideoHooks = {}): Promise<QueuedVideoResult> {
  const inputPath = resolve(input);
  const outputPath = resolve(output);
  const container = videoContainerOf(outputPath);
  if (!container) throw new EnhanceError('unknown video format: write .mp4, .mkv or .webm', { file: output });
  if ((await realpath(inputPath)) === (await realpath(outputPath).catch(() => outputPath))) throw new EnhanceError('refusing to overwrite the input video; choose another output (-o)', { file: output });
  const info = await probeVideo(inputPath, signal);
  await encodeSettingsFor(info, container, options); // a codec the container cannot hold is refused here, not by every worker
  const segmentFrames = segmentFramesFor(info.frameRate, options.segmentSeconds);
  const segments = planSegments(info.frames, segmentFrames);
  const extension = extname(outputPath).toLowerCase();
  const identity: PartsIdentity = { input: await inputIdentity(await realpath(inputPath)), work: { queued: sortedOptions(options) }, segmentFrames };
  const parts = await openQueuedParts(outputPath, identity, extension, hooks.onWarning);
  const present = (index: number) => existsSync(segmentFiles(parts.dir, index, extension).path);
  const missing = parts.finished ? [] : segments.filter((s) => !present(s.index));
  const partsIdentity = await partsIdentityOf(parts);
  const frames = new Map<number, number>();
  if (missing.length > 0) {
    if (missing.length < segments.length) hooks.onWarning?.(`${input}: ${segments.length - missing.length} of ${segments.length} segments are done already; queueing the other ${missing.length}`);
    const digest = await fileDigest(inputPath);
    const ids = new Map<number, string>();
    for (const segment of missing) {
      if (signal.aborted) break;
      const id = jobKey(digest, options, `${outputPath}#${segment.index}`);
      await queue.submit(id, { kind: 'video-segment', options, input: { path: inputPath }, output: { path: outputPath }, segment, partsIdentity });
      ids.set(segment.index, id);
    }
    const failures = await followSegments(queue, input, missing, ids, frames, signal);
    if (signal.aborted) {
      const open = (await Promise.all([...ids.values()].map((id) => queue.status(id)))).filter((s) => s && (s.state === 'queued' || s.state === 'running'));
      await Promise.all(open.map((s) => queue.cancel(s!.id)));
      hooks.onCancelled?.(open.length);
      throw new CancelledError();
    }
    if (failures.length > 0) {
      const [first] = failures;
      const others = failures.length > 1 ? ` (and ${failures.length - 1} more segments)` : '';
      // The worker's message names the video by its absolute path; this line names it once, as given.
      const reason = first.reason.startsWith(`${inputPath}: `) ? first.reason.slice(inputPath.length + 2) : first.reason;
      throw new EnhanceError(`segment ${first.segment.index} of ${segments.length} (${framesText(first.segment)}) failed: ${reason}${others}; the finished segments are kept: run the same command again to continue`, { file: input });
    }
  }
  const joined = segmentsToJoin(segments.length, present, (index) => frames.get(index));
  if ('problem' in joined) throw new EnhanceError(`${joined.problem}; run the same command again to redo it`, { file: input });
  if (joined.indices.length === 0) throw new EnhanceError('has no video frames', { file: input });
  await parts.markFinished(joined.indices.length);
  const notes = await muxSegments(info, joined.indices.map((index) => segmentFiles(parts.dir, index, extension).path), parts.dir, outputPath, container, { signal });
  for (const note of notes) hooks.onWarning?.(`${input}: ${note}`);
  await parts.remove();
  return { segments: joined.indices.length, queued: missing.length };
}

/** Each queued segment followed until it ends; the frames of those done, and those that did not end well. */
async function followSegments(queue: JobQueue, input: string, missing: readonly SegmentRange[], ids: ReadonlyMap<number, string>, frames: Map<number, number>, signal: AbortSignal): Promise<{ segment: SegmentRange; reason: string }[]> {
  const progress = createProgress(`upscale ${basename(input)} (queued)`, missing.length);
  const failures: { segment: SegmentRange; reason: string }[] = [];
  setMaxListeners(0, signal); // one wait per segment listens to it
  await Promise.all(
    missing.map(async (segment) => {
      const id = ids.get(segment.index);
      if (id === undefined) return;
      const final: JobStatus | undefined = await waitForJob(queue, id, { signal, pollMs: Math.max(2000, ids.size * 50) }).catch(() => undefined);
      if (signal.aborted) return;
      if (final?.state === 'done') {
        frames.set(segment.index, final.frames ?? 0);
        progress.advance(`segment ${segment.index} (${final.frames ?? 0} frames)`);
      } else {
        failures.push({ segment, reason: final?.error ?? `the job ${final ? 'was cancelled' : 'was lost (expired from the queue)'}` });
        progress.advance(`segment ${segment.index} failed`);
      }
    }),
  );
  progress.stop();
  return failures.sort((a, b) => a.segment.index - b.segment.index);
}

/**
 * `enhance upscale clip.mp4 --queue redis://...`: each video's segments upscaled by workers, one
 * video after another (a failed one is one line, the others go on); returns the failures. A cancel
 * ends the batch, the video in progress keeping its finished segments for the same command.
 */
export async function upscaleVideosOnQueue(queue: JobQueue, plan: readonly PlannedOutput[], options: VideoJobOptions, signal: AbortSignal): Promise<number> {
  let failures = 0;
  const onWarning = (message: string) => process.stderr.write(`enhance: ${message}\n`);
  for (const { input, output } of plan) {
    if (signal.aborted) break;
    let cancelled = 0;
    try {
      const result = await upscaleVideoOnQueue(queue, input, output, options, signal, { onWarning, onCancelled: (open) => (cancelled = open) });
      process.stderr.write(`enhance: ${input} -> ${output} (${result.segments} segments joined, ${result.queued} upscaled by workers this run)\n`);
    } catch (error) {
      if (isCancelledError(error) || signal.aborted) {
        process.stderr.write(`\nenhance: interrupted; cancelled the ${cancelled} segment jobs that had not ended; the finished segments are kept: run the same command again to continue\n`);
        break;
      }
      if (!isEnhanceError(error)) throw error;
      failures++;
      process.stderr.write(`enhance: ${error.message}\n`);
    }
  }
  return failures;
}

/**
 * The videos of `enhance upscale --queue <url>`: the options that change the frames or their encoding
 * travel with each segment job; tiling and threads are each worker's.
 */
export async function queueVideos(queueUrl: string, plan: readonly PlannedOutput[], chosen: Pick<UpscaleOptions, 'model' | 'method' | 'scale' | 'width' | 'height' | 'fit' | 'tta' | 'alpha' | 'precision'>, video: VideoFlagOptions, signal: AbortSignal): Promise<number> {
  if (chosen.method) throw new EnhanceError('--method runs here, not on workers: leave out --queue');
  if (video.keepPartial) throw new EnhanceError('--keep-partial: a queued video keeps its finished segments when stopped, and the same command continues; leave out --keep-partial');
  const parsed = videoJobOptionsSchema.safeParse({
    model: chosen.model,
    scale: chosen.scale,
    width: chosen.width,
    height: chosen.height,
    fit: chosen.fit,
    tta: chosen.tta,
    alpha: chosen.alpha,
    precision: chosen.precision,
    codec: video.codec,
    crf: video.crf,
    preset: video.preset,
    segmentSeconds: video.segmentSeconds,
    temporal: video.temporal,
    staticThreshold: video.staticThreshold,
  });
  if (!parsed.success) throw new EnhanceError(`upscale: ${optionProblem(parsed.error).message}`);
  const queue = new RedisJobQueue(redisUrl(queueUrl), { resultTtlSeconds: 24 * 3600 });
  try {
    return await upscaleVideosOnQueue(queue, plan, parsed.data, signal);
  } finally {
    await queue.close();
  }
}
