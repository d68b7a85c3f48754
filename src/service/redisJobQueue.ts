import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisBlobStore, type BlobStore } from './blobStore.js';
import { blobKeys, type JobResult, type JobState, type JobStatus, type UpscaleJobData } from './jobData.js';
import { stillAnswers, type JobQueue } from './jobQueue.js';
import { bullConnection, CANCEL_CHANNEL, connectRedis, KEY_PREFIX, QUEUE_NAME } from './redisConnection.js';

/** The failure reason of a job stopped on request (the worker fails it so, without retries). */
export const CANCELLED_REASON = 'cancelled';

export interface RedisQueueOptions {
  /** How long finished jobs and their results are kept. */
  resultTtlSeconds: number;
  /** Attempts per job before it fails (a worker dying mid-job costs one). */
  attempts?: number;
}

const STATES: Record<string, JobState> = {
  waiting: 'queued',
  delayed: 'queued', // waiting for its backoff after a failed attempt
  prioritized: 'queued',
  'waiting-children': 'queued',
  active: 'running',
  completed: 'done',
  failed: 'failed',
};

/**
 * The queue on Redis (BullMQ), for `enhance worker`s on any number of machines: jobs keyed by
 * their content (a duplicate is the same BullMQ job id), retried with backoff, recovered from a
 * worker that died (BullMQ's stalled-job check), kept for `resultTtlSeconds` after they end.
 */
export class RedisJobQueue implements JobQueue {
  readonly store: BlobStore;
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly redis: Redis;
  private readonly watchers = new Map<string, Set<(status: JobStatus) => void>>();

  constructor(
    url: string,
    private readonly options: RedisQueueOptions,
  ) {
    this.redis = connectRedis(url);
    this.store = new RedisBlobStore(this.redis, `${KEY_PREFIX}:blob:`);
    this.queue = new Queue(QUEUE_NAME, { connection: bullConnection(url), prefix: KEY_PREFIX });
    this.events = new QueueEvents(QUEUE_NAME, { connection: bullConnection(url), prefix: KEY_PREFIX });
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
    for (const name of ['progress', 'active', 'completed', 'failed', 'waiting', 'removed', 'delayed'] as const) this.events.on(name, (event: { jobId: string }) => this.dispatch(event));
  }

  async submit(id: string, data: UpscaleJobData): Promise<{ status: JobStatus; duplicate: boolean }> {
    const known = await this.status(id);
    if (known && stillAnswers(known)) return { status: known, duplicate: true };
    if (known) await this.queue.remove(id).catch(() => 0); // failed, cancelled or its output deleted: submitted again
    await this.redis.del(this.cancelledKey(id));
    const age = this.options.resultTtlSeconds;
    await this.queue.add('upscale', data, {
      jobId: id,
      attempts: this.options.attempts ?? 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age },
      removeOnFail: { age },
    });
    return { status: (await this.status(id)) ?? { id, state: 'queued', progress: 0, attempts: 0 }, duplicate: false };
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const job = await this.queue.getJob(id);
    if (!job) return (await this.redis.exists(this.cancelledKey(id))) ? { id, state: 'cancelled', progress: 0, attempts: 0 } : undefined;
    const raw = await job.getState();
    let state: JobState = STATES[raw] ?? 'queued';
    if (state === 'failed' && job.failedReason === CANCELLED_REASON) state = 'cancelled';
    const progress = typeof job.progress === 'number' ? job.progress : 0;
    const returned = job.returnvalue as JobResult | null;
    const output = returned?.output;
    return {
      id,
      state,
      progress: state === 'done' ? 1 : progress,
      attempts: job.attemptsMade,
      ...(state === 'failed' ? { error: job.failedReason } : {}),
      ...(output ? { output } : {}),
      ...(typeof returned?.frames === 'number' ? { frames: returned.frames } : {}),
    };
  }

  async result(id: string): Promise<Buffer | undefined> {
    const status = await this.status(id);
    return status?.state === 'done' ? this.store.get(blobKeys.result(id)) : undefined;
  }

  async cancel(id: string): Promise<JobStatus | undefined> {
    const status = await this.status(id);
    if (!status) return undefined;
    if (status.state === 'queued') {
      // remove() refuses a job a worker has just locked: then it is running, and is stopped as such.
      const removed = await this.queue.remove(id).then((n) => n > 0, () => false);
      if (removed) {
        await this.redis.set(this.cancelledKey(id), '1', 'EX', Math.max(1, this.options.resultTtlSeconds));
        return { ...status, state: 'cancelled' };
      }
    }
    if (status.state === 'queued' || status.state === 'running') await this.redis.publish(CANCEL_CHANNEL, id);
    return this.status(id);
  }

  watch(id: string, listener: (status: JobStatus) => void): () => void {
    let listeners = this.watchers.get(id);
    if (!listeners) this.watchers.set(id, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.watchers.delete(id);
    };
  }

  /** One handler per event kind for all watched jobs (a batch of thousands watches thousands of ids). */
  private dispatch(event: { jobId: string }): void {
    const listeners = this.watchers.get(event.jobId);
    if (!listeners) return;
    void this.status(event.jobId).then((status) => {
      if (status) for (const listener of listeners) listener(status);
    });
  }

  async waiting(): Promise<number> {
    return this.queue.getJobCountByTypes('waiting', 'delayed', 'prioritized');
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.queue.close()]);
    this.redis.disconnect();
  }

  private cancelledKey(id: string): string {
    return `${KEY_PREFIX}:cancelled:${id}`;
  }
}
