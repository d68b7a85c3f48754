import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { CancelledError, describeZodError, isCancelledError, isEnhanceError } from '../errors.js';
import { encodeSegments, prepareVideoJob } from '../video/upscaleVideo.js';
import { partsDirFor, segmentFiles } from '../video/videoParts.js';
import { videoContainerOf } from '../video/videoFormats.js';
import type { JobResult, VideoSegmentJobData } from './jobData.js';
import { JobInputError } from './jobInputError.js';
import { videoJobOptionsSchema } from './jobOptions.js';
import type { JobRunContext } from './runUpscaleJob.js';

const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => isAbsolute(path) && !path.includes('\0'), { message: 'must be an absolute path' });

/** A video segment job as a worker accepts it: its data comes from Redis, and Redis is a stranger. */
const videoSegmentJobSchema = z
  .object({
    kind: z.literal('video-segment'),
    options: videoJobOptionsSchema,
    input: z.object({ path: absolutePath }).strict(),
    output: z.object({ path: absolutePath }).strict(),
    segment: z
      .object({ index: z.number().int().min(0).max(10_000_000), start: z.number().int().min(0), end: z.number().int().min(1).optional() })
      .strict()
      .refine((s) => s.end === undefined || s.end > s.start, { message: 'must be after start', path: ['end'] }),
    partsIdentity: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

const manifestSchema = z.object({ format: z.literal('enhance-video-parts'), identity: z.string() });

/**
 * The parts folder must be the one the client made for this very work: a real folder (not a link
 * elsewhere) whose parts.json names the job's identity. A worker creates no folder; a job of old work
 * (other options, since restarted) cannot write into the parts of new work.
 */
async function checkPartsFolder(dir: string, identity: string): Promise<string | undefined> {
  const folder = await lstat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) return `${dir}: no parts folder (the client makes it before it queues the segments); nothing written`;
  const manifestPath = join(dir, 'parts.json');
  const manifest = await lstat(manifestPath).catch(() => undefined);
  if (!manifest?.isFile() || manifest.size > 4096) return `${dir}: has no parts.json; not a parts folder enhance made`;
  let parsed: z.infer<typeof manifestSchema> | undefined;
  try {
    parsed = manifestSchema.parse(JSON.parse(await readFile(manifestPath, 'utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed) return `${dir}: its parts.json is unreadable`;
  if (parsed.identity !== identity) return `${dir}: belongs to other work now (another input or other options); the segment was not written`;
  return undefined;
}

/**
 * One segment of a video on shared storage: frames [start, end) decoded, upscaled and encoded (as a
 * local run does them) into segment files in the output's parts folder, each under a temporary name
 * until the job has succeeded. The last job (`end` undefined) runs to the real end of the video and may
 * write several files; they are renamed into place last one first, so a segment's file is there only
 * when everything its job wrote is. A job past the end writes nothing and says it held 0 frames.
 */
export async function runVideoSegmentJob(raw: VideoSegmentJobData, context: JobRunContext): Promise<JobResult> {
  const checked = videoSegmentJobSchema.safeParse(raw);
  if (!checked.success) throw new JobInputError(`not a video segment job: ${describeZodError(checked.error, raw, 'job')}`);
  const { options, segment, partsIdentity } = checked.data;
  const input = checked.data.input.path;
  const output = checked.data.output.path;
  const refuse = (problem: string) => new JobInputError(problem, { file: input });
  if (resolve(output) === resolve(input)) throw refuse('the output path is the input: inputs are never overwritten');
  const container = videoContainerOf(output);
  if (!container) throw refuse(`${output}: not a .mp4, .mkv or .webm output`);
  const dir = partsDirFor(output);
  const problem = await checkPartsFolder(dir, partsIdentity);
  if (problem) throw refuse(problem);
  const { model, codec, crf, preset, segmentSeconds, temporal, staticThreshold, ...sizeAndLook } = options;
  const modelPath = model === undefined ? undefined : context.catalogue.pathOf(model);
  if (model !== undefined && modelPath === undefined) throw refuse(`unknown model '${model}' on this worker`);
  const extension = extname(output).toLowerCase();
  const pending: { temporary: string; path: string }[] = [];
  try {
    const job = await prepareVideoJob(input, container, {
      ...sizeAndLook,
      model: modelPath,
      threads: context.threads,
      tile: context.tile,
      codec,
      crf,
      preset,
      segmentSeconds,
      temporal,
      reuse: { threshold: staticThreshold },
      signal: context.signal,
    });
    const start = segment.index * job.segmentFrames;
    if (segment.start !== start || (segment.end !== undefined && segment.end !== start + job.segmentFrames)) {
      throw refuse(`segment ${segment.index} [${segment.start}, ${segment.end ?? 'end'}) is not one of this worker's segments of ${job.segmentFrames} frames`);
    }
    // The last segment's length is only estimated: its progress stays short of 1 until it is done.
    const planned = segment.end !== undefined ? segment.end - start : Math.max(1, job.info.frames - start);
    let frames = 0;
    await encodeSegments(
      job,
      { start, end: segment.end },
      (index) => {
        const files = segmentFiles(dir, index, extension);
        return { temporary: files.temporary, complete: async () => void pending.push(files) };
      },
      {
        signal: context.signal,
        onFrame: () => {
          frames++;
          context.onProgress?.(Math.min(frames / planned, segment.end !== undefined ? 1 : 0.99));
        },
      },
    );
    if (context.signal?.aborted) throw new CancelledError();
    while (pending.length > 0) {
      const files = pending.at(-1)!;
      await rename(files.temporary, files.path);
      pending.pop();
    }
    return frames > 0 ? { output: segmentFiles(dir, segment.index, extension).path, frames } : { frames: 0 };
  } catch (error) {
    if (isCancelledError(error) || error instanceof JobInputError) throw error;
    // The library's messages already name the video.
    if (isEnhanceError(error)) throw new JobInputError(error.message);
    throw error;
  } finally {
    await Promise.all(pending.map((files) => rm(files.temporary, { force: true })));
  }
}
