import { resolve } from 'node:path';
import { isCancelledError, isEnhanceError } from '../errors.js';
import { upscale } from '../upscale/upscale.js';
import type { BlobStore } from './blobStore.js';
import { isVideoSegmentJob, type JobResult, type PictureJobData, type UpscaleJobData } from './jobData.js';
import { JobInputError } from './jobInputError.js';
import type { ModelCatalogue } from './modelCatalogue.js';
import { runVideoSegmentJob } from './runVideoSegmentJob.js';

export interface JobRunContext {
  store: BlobStore;
  catalogue: ModelCatalogue;
  /** How long a result stays in the store for its client. */
  resultTtlSeconds: number;
  signal?: AbortSignal;
  /** Fraction of the picture's tiles (a video segment's frames) done. */
  onProgress?: (fraction: number) => void;
  /** Threads per model (default: all cores). */
  threads?: number;
  /** Tile side in input pixels (default: the largest the memory budget allows): the worker's choice, never the client's. */
  tile?: number;
}

/** The picture's name in messages: its file name, or its path; a video's segment: `<video>#<index>`. */
export function nameOf(data: UpscaleJobData): string {
  // Before validation (a worker's log line names the job it takes): a stranger's job may lack fields.
  if (isVideoSegmentJob(data)) return `${String(data.input?.path)}#${String(data.segment?.index)}`;
  return 'path' in data.input ? data.input.path : data.input.name;
}

/** Run one queued job: a picture, or a video's segment (`runVideoSegmentJob`). */
export async function runUpscaleJob(data: UpscaleJobData, context: JobRunContext): Promise<JobResult> {
  return isVideoSegmentJob(data) ? runVideoSegmentJob(data, context) : runPictureJob(data, context);
}

/**
 * One picture with the library's `upscale()` (the model compiled once per process and kept warm by
 * loadModelRunner), the result written to the store or, atomically, to its output path.
 */
async function runPictureJob(data: PictureJobData, context: JobRunContext): Promise<JobResult> {
  const name = nameOf(data);
  const { model, format, quality, ...sizeAndLook } = data.options;
  const modelPath = model === undefined ? undefined : context.catalogue.pathOf(model);
  if (model !== undefined && modelPath === undefined) throw new JobInputError(`unknown model '${model}' on this worker`, { file: name });
  let input: string | Buffer;
  if ('path' in data.input) {
    if ('path' in data.output && resolve(data.output.path) === resolve(data.input.path)) throw new JobInputError('the output path is the input: inputs are never overwritten', { file: name });
    input = data.input.path;
  } else {
    const bytes = await context.store.get(data.input.blob);
    if (!bytes) throw new JobInputError("the picture is no longer in the queue's store (it expired); submit it again", { file: name });
    input = bytes;
  }
  try {
    const job = upscale(input, {
      ...sizeAndLook,
      model: modelPath,
      threads: context.threads,
      tile: context.tile,
      signal: context.signal,
      onProgress: (done, total) => context.onProgress?.(total > 0 ? done / total : 0),
    });
    if ('path' in data.output) {
      await job.toFile(data.output.path, { format, quality });
      return { output: data.output.path };
    }
    await context.store.put(data.output.blob, await job.toBuffer({ format: format ?? 'png', quality }), context.resultTtlSeconds);
    return {};
  } catch (error) {
    if (isCancelledError(error)) throw error;
    // The library names a buffer '<buffer>'; the client knows its picture by its name.
    if (isEnhanceError(error)) throw new JobInputError(error.message.replace(/^<buffer>: /, ''), { file: typeof input === 'string' ? undefined : name });
    throw error;
  }
}
