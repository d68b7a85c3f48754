import type { JobOptions, VideoJobOptions } from './jobOptions.js';

/**
 * One picture to upscale, as it travels through a queue (JSON): the options, and where the picture is
 * and where its result goes: bytes in the blob store (pictures sent over HTTP), or paths on storage
 * every worker shares (an archive on NFS or a mounted bucket).
 */
export type PictureJobData =
  | { options: JobOptions; input: { blob: string; name: string }; output: { blob: string } }
  | { options: JobOptions; input: { path: string }; output: { path: string } };

/**
 * One segment of a video on shared storage: frames [start, end) (`end` undefined: to the end of the
 * video, whose frame count the container may only estimate) encoded into the parts folder the client
 * made beside `output` (`partsDirFor(output)`), whose parts.json names `partsIdentity`. The client
 * joins the segments into `output`; a worker never writes `output` itself.
 */
export interface VideoSegmentJobData {
  kind: 'video-segment';
  options: VideoJobOptions;
  input: { path: string };
  output: { path: string };
  segment: { index: number; start: number; end?: number };
  partsIdentity: string;
}

/** A job of the queue: a picture, or a video's segment (the only kind with a `kind`). */
export type UpscaleJobData = PictureJobData | VideoSegmentJobData;

export const isVideoSegmentJob = (data: UpscaleJobData): data is VideoSegmentJobData => 'kind' in data;

/** What a job returned: where it wrote (a path job), and the frames a video segment held (0: past the video's end). */
export interface JobResult {
  output?: string;
  frames?: number;
}

/** What a job's state is, as the API tells it. */
export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface JobStatus {
  id: string;
  state: JobState;
  /** 0..1: tiles done over tiles planned (a video segment: frames done over its frames). */
  progress: number;
  /** Why it failed, one line naming the picture. */
  error?: string;
  /** Where the result was written, for a job on shared storage. */
  output?: string;
  /** Attempts made so far (a worker that died mid-job costs one). */
  attempts: number;
  /** Frames a finished video segment held (0: it began past the video's end). */
  frames?: number;
}

export const blobKeys = {
  input: (digest: string) => `input:${digest}`,
  result: (id: string) => `result:${id}`,
};
