import type { JobOptions } from './jobOptions.js';

/**
 * One picture to upscale, as it travels through a queue (JSON): the options, and where the picture is
 * and where its result goes: bytes in the blob store (pictures sent over HTTP), or paths on storage
 * every worker shares (an archive on NFS or a mounted bucket).
 */
export type UpscaleJobData =
  | { options: JobOptions; input: { blob: string; name: string }; output: { blob: string } }
  | { options: JobOptions; input: { path: string }; output: { path: string } };

/** What a job's state is, as the API tells it. */
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobStatus {
  id: string;
  state: JobState;
  /** 0..1: tiles done over tiles planned. */
  progress: number;
  /** Why it failed, one line naming the picture. */
  error?: string;
  /** Where the result was written, for a job on shared storage. */
  output?: string;
  /** Attempts made so far (a worker that died mid-job costs one). */
  attempts: number;
}

export const blobKeys = {
  input: (digest: string) => `input:${digest}`,
  result: (id: string) => `result:${id}`,
};
