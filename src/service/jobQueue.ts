import { existsSync } from 'node:fs';
import type { JobStatus, UpscaleJobData } from './jobData.js';

/**
 * Where the HTTP API and `enhance upscale --queue` put pictures and follow them: in this process
 * (`MemoryJobQueue`) or in Redis for workers on any number of machines (`RedisJobQueue`, BullMQ).
 */
export interface JobQueue {
  /** Queue a job under its key; a job of that key already known is answered, not queued again. */
  submit(id: string, data: UpscaleJobData): Promise<{ status: JobStatus; duplicate: boolean }>;
  status(id: string): Promise<JobStatus | undefined>;
  /** The result's bytes of a finished job whose output is in the store. */
  result(id: string): Promise<Buffer | undefined>;
  /** Remove a queued job, or stop a running one between tiles; the job's status after, or undefined if unknown. */
  cancel(id: string): Promise<JobStatus | undefined>;
  /** Called on each progress or state change of a job until the returned function is called. */
  watch(id: string, listener: (status: JobStatus) => void): () => void;
  /** Jobs waiting for a worker (a full queue answers 429). */
  waiting(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Whether a submission of a known job is answered by it: not when it failed or was cancelled, nor when
 * it is done but wrote to a path whose file is gone (a batch run again after its outputs were deleted).
 */
export function stillAnswers(status: JobStatus): boolean {
  if (status.state === 'failed' || status.state === 'cancelled') return false;
  return !(status.state === 'done' && status.output !== undefined && !existsSync(status.output));
}

/** A job that ends: 'done', 'failed' or 'cancelled'. */
export const isFinished = (status: JobStatus) => status.state === 'done' || status.state === 'failed' || status.state === 'cancelled';
