import { realpath, rename, rm } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { CancelledError, EnhanceError } from '../errors.js';
import { removeFolderOnExit } from '../io/atomicWrite.js';
import type { Raster } from '../image/raster.js';
import { encodeSettingsFor, type EncodeRequest, type EncodeSettings } from './encodeSettings.js';
import { decodedSize, decodeFrames } from './frameDecoder.js';
import { evenSize, startEncoder, type FrameEncoder } from './frameEncoder.js';
import { frameSamples, frameUpscaler, rasterBytes, type FrameOptions, type FrameUpscaler } from './frameUpscaler.js';
import { muxSegments } from './muxVideo.js';
import { probeVideo, type Rational, type VideoInfo } from './probeVideo.js';
import { DEFAULT_REUSE, StaticAreaReuse, type ReuseSettings } from './staticAreaReuse.js';
import { inputIdentity, openVideoParts, type VideoParts } from './videoParts.js';
import { keepsRotation, MUXER, videoContainerOf, type VideoContainer } from './videoFormats.js';

export const TEMPORAL_MODES = ['off', 'reuse'] as const;
export type TemporalMode = (typeof TEMPORAL_MODES)[number];

/** Progress of a video: frames written, of the frames the container announces (an estimate for some). */
export interface VideoProgress {
  frames: number;
  totalFrames: number;
  /** Frames per second of this run so far. */
  fps: number;
}

export interface VideoOptions extends FrameOptions, EncodeRequest {
  /** Seconds of video per segment: what --resume restarts from and what queue workers take (default 10). */
  segmentSeconds?: number;
  /** Continue the parts an interrupted run left; keep them when interrupted. */
  resume?: boolean;
  /** On cancel, write what was done as a playable (shorter) video. */
  keepPartial?: boolean;
  temporal?: TemporalMode;
  reuse?: Partial<ReuseSettings>;
  signal?: AbortSignal;
  onProgress?: (progress: VideoProgress) => void;
  onWarning?: (message: string) => void;
  /** Told once what will be done (for --verbose). */
  onPlan?: (description: string) => void;
}

export interface VideoResult {
  frames: number;
  width: number;
  height: number;
  /** Whether the output is the whole video (false: a partial one, after a cancel with keepPartial). */
  complete: boolean;
  reuse?: { refreshedPixels: number; skippedFrames: number };
}

export const DEFAULT_SEGMENT_SECONDS = 10;

/** Everything one segment's encoding needs, fixed for the whole video. */
export interface VideoJob {
  info: VideoInfo;
  container: VideoContainer;
  applyRotation: boolean;
  upscaler: FrameUpscaler;
  settings: EncodeSettings;
  encoded: { width: number; height: number };
  segmentFrames: number;
  temporal: TemporalMode;
  reuse: ReuseSettings;
}

/**
 * Frames per segment: `seconds` of video at its frame rate, at least one. The one count every run
 * uses, local or on queue workers (a worker checks a job's segment starts where this puts it).
 */
export function segmentFramesFor(frameRate: Rational, seconds: number): number {
  return Math.max(1, Math.round((seconds * frameRate.num) / frameRate.den));
}

/** Probe the video, load the model and settle the encoding: every refusal happens here, before a frame is decoded. */
export async function prepareVideoJob(input: string, container: VideoContainer, options: VideoOptions): Promise<VideoJob> {
  const info = await probeVideo(input, options.signal);
  const applyRotation = info.rotation !== 0 && !keepsRotation(container);
  const size = decodedSize(info, applyRotation);
  const bitDepth = info.bitsPerSample > 8 ? 16 : 8;
  const upscaler = await frameUpscaler(size, bitDepth, options, input);
  const settings = await encodeSettingsFor(info, container, options);
  const encoded = evenSize(settings.pixelFormat, upscaler.output);
  if (encoded.width !== upscaler.output.width || encoded.height !== upscaler.output.height) {
    options.onWarning?.(`${input}: ${settings.pixelFormat} needs even sides: written ${encoded.width}x${encoded.height}, the last column or row of ${upscaler.output.width}x${upscaler.output.height} left out`);
  }
  const seconds = options.segmentSeconds ?? DEFAULT_SEGMENT_SECONDS;
  if (!(seconds > 0)) throw new EnhanceError(`--segment ${seconds}: must be a positive number of seconds`);
  const segmentFrames = segmentFramesFor(info.frameRate, seconds);
  return { info, container, applyRotation, upscaler, settings, encoded, segmentFrames, temporal: options.temporal ?? 'off', reuse: { ...DEFAULT_REUSE, ...options.reuse } };
}

/** The parts of a job that decide its frames and their encoding (what a resumed run must share with the first). */
export function jobIdentity(job: VideoJob, options: VideoOptions): Record<string, unknown> {
  const { codec, crf, preset, pixelFormat } = job.settings;
  return {
    frames: job.upscaler.describe,
    output: job.encoded,
    encode: { codec, crf, preset, pixelFormat },
    model: options.model ?? 'default',
    method: options.method,
    tta: options.tta ?? false,
    precision: options.precision ?? 'fp32',
    temporal: job.temporal === 'off' ? 'off' : job.reuse,
    rotation: job.applyRotation,
  };
}

/**
 * Upscale frames [start, end) of the video into segment files, one encoder per segment; `onFrame` after
 * each frame written. Stops at a cancel once the frame in progress is written; the segment then being encoded is
 * finished as a shorter one only when `partialSegment` says where to put it, else dropped.
 */
export async function encodeSegments(
  job: VideoJob,
  range: { start: number; end?: number },
  segmentOf: (index: number) => { temporary: string; complete: () => Promise<void> },
  options: { signal?: AbortSignal; onFrame?: () => void; partialSegment?: () => string },
): Promise<{ frames: number; partial?: string; reuse?: StaticAreaReuse }> {
  const { info, upscaler, settings, encoded, segmentFrames } = job;
  const decoder = decodeFrames(info, { start: range.start, end: range.end, applyRotation: job.applyRotation });
  const bitDepth = decoder.bitDepth;
  const reuse = job.temporal === 'reuse' ? new StaticAreaReuse(upscaler.input, upscaler.output, bitDepth, job.reuse) : undefined;
  let encoder: FrameEncoder | undefined;
  let encoderPath = '';
  let segment = Math.floor(range.start / segmentFrames);
  let inSegment = range.start - segment * segmentFrames;
  let frames = 0;
  const openEncoder = (path: string) => startEncoder(info, settings, { ...encoded, bitDepth, muxer: MUXER[job.container], path });
  try {
    for await (const bytes of decoder.frames) {
      if (options.signal?.aborted) break;
      const samples = frameSamples(bytes, bitDepth);
      let output: Raster | undefined;
      // A cancel lets the frame in progress finish (it is written); the next one does not start.
      if (!reuse || reuse.begin(samples)) output = await upscaler.upscale(samples);
      if (reuse) output = reuse.finish(samples, output);
      if (!encoder) {
        const target = segmentOf(segment);
        encoderPath = target.temporary;
        encoder = openEncoder(encoderPath);
      }
      await encoder.write(rasterBytes(output!));
      frames++;
      inSegment++;
      options.onFrame?.();
      if (inSegment === segmentFrames) {
        const done = encoder;
        encoder = undefined;
        await done.finish();
        await segmentOf(segment).complete();
        segment++;
        inSegment = 0;
        reuse?.reset();
      }
    }
    if (encoder && options.signal?.aborted && options.partialSegment) {
      // The frames of the unfinished segment become a file of their own, for the partial video only.
      const current = encoder;
      encoder = undefined;
      await current.finish();
      const partial = options.partialSegment();
      await rename(encoderPath, partial);
      return { frames, partial, reuse };
    }
    if (encoder && !options.signal?.aborted) {
      const done = encoder;
      encoder = undefined;
      await done.finish();
      await segmentOf(segment).complete();
    }
    return { frames, reuse };
  } finally {
    await decoder.close();
    if (encoder) {
      await encoder.abort();
      await rm(encoderPath, { force: true });
    }
  }
}

/** The output path may not be the input (checked through links). */
async function refuseOverwrite(input: string, output: string): Promise<void> {
  const real = await realpath(input);
  const target = await realpath(output).catch(() => resolve(output));
  if (real === target) throw new EnhanceError('refusing to overwrite the input video; choose another output (-o)', { file: output });
}

/**
 * Upscale a video: frames decoded by ffmpeg, enlarged, encoded by ffmpeg segment by segment, the
 * segments joined with the source's audio and subtitles into `output` (atomically). Cancelled: nothing
 * is left unless `resume` (the finished segments stay for the next run) or `keepPartial` (what was
 * done becomes `output`, shorter); the promise then rejects with a CancelledError.
 */
export async function upscaleVideo(input: string, output: string, options: VideoOptions = {}): Promise<VideoResult> {
  const container = videoContainerOf(output);
  if (!container) throw new EnhanceError('unknown video format: write .mp4, .mkv or .webm', { file: output });
  await refuseOverwrite(input, output);
  const job = await prepareVideoJob(input, container, options);
  options.onPlan?.(`${input}: ${job.info.width}x${job.info.height} ${job.info.pixelFormat} at ${(job.info.frameRate.num / job.info.frameRate.den).toFixed(3)} fps, ~${job.info.frames} frames -> ${job.encoded.width}x${job.encoded.height} (${job.upscaler.describe}), ${job.settings.codec} ${job.settings.pixelFormat}${job.settings.crf !== undefined ? ` crf ${job.settings.crf}` : ''}, segments of ${job.segmentFrames} frames`);
  const identity = { input: await inputIdentity(await realpath(input)), work: jobIdentity(job, options), segmentFrames: job.segmentFrames };
  const parts = await openVideoParts(output, identity, extname(output).toLowerCase(), options.resume ?? false);
  // Without --resume nothing may stay behind, not even after a second Ctrl-C (which exits at once).
  const cleanup = options.resume ? undefined : removeFolderOnExit(parts.dir);
  const start = parts.completed * job.segmentFrames;
  if (options.resume && parts.completed > 0) options.onWarning?.(`${input}: resuming after ${parts.completed} finished segments (frame ${start})`);
  let written = start;
  const started = performance.now();
  const total = Math.max(job.info.frames, start);
  const report = () => options.onProgress?.({ frames: written, totalFrames: Math.max(total, written), fps: (written - start) / ((performance.now() - started) / 1000) });
  let result: { frames: number; partial?: string; reuse?: StaticAreaReuse } = { frames: 0 };
  try {
    if (!parts.finished) {
      result = await encodeSegments(
        job,
        { start },
        (index) => ({ temporary: parts.temporaryPath(index), complete: () => parts.complete(index) }),
        {
          signal: options.signal,
          onFrame: () => {
            written++;
            report();
          },
          partialSegment: options.keepPartial ? () => `${parts.dir}/partial${extname(output)}` : undefined,
        },
      );
    }
    const cancelled = options.signal?.aborted ?? false;
    const segments = finishedSegments(parts, written, job.segmentFrames, cancelled);
    if (cancelled && !options.keepPartial) throw new CancelledError();
    if (!cancelled) await parts.markFinished(segments.length);
    const files = [...segments, ...(result.partial ? [result.partial] : [])];
    if (files.length === 0) throw cancelled ? new CancelledError() : new EnhanceError('has no video frames', { file: input });
    const seconds = cancelled ? (written * job.info.frameRate.den) / job.info.frameRate.num : undefined;
    const notes = await muxSegments(job.info, files, parts.dir, output, container, { seconds });
    for (const note of notes) options.onWarning?.(`${input}: ${note}`);
    if (cancelled && options.resume && result.partial) await rm(result.partial, { force: true });
    else await parts.remove();
    if (cancelled) throw new CancelledError();
    return {
      frames: written,
      width: job.encoded.width,
      height: job.encoded.height,
      complete: true,
      reuse: result.reuse && { refreshedPixels: result.reuse.refreshedPixels, skippedFrames: result.reuse.skippedFrames },
    };
  } catch (error) {
    // Kept for --resume when the run was stopped or failed; otherwise nothing stays behind.
    if (!options.resume) await parts.remove();
    else if (result.partial) await rm(result.partial, { force: true });
    throw error;
  } finally {
    cleanup?.forget();
  }
}

/** The finished segment files, in order (all of them once decoding ended). */
function finishedSegments(parts: VideoParts, written: number, segmentFrames: number, cancelled: boolean): string[] {
  const count = cancelled ? Math.floor(written / segmentFrames) : Math.ceil(written / segmentFrames);
  return Array.from({ length: count }, (_, k) => parts.segmentPath(k));
}
