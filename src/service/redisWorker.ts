import { UnrecoverableError, Worker } from 'bullmq';
import { isCancelledError } from '../errors.js';
import { loadModelRunner } from '../upscale/loadModelRunner.js';
import { RedisBlobStore } from './blobStore.js';
import type { JobResult, UpscaleJobData } from './jobData.js';
import { JobInputError } from './jobInputError.js';
import type { ModelCatalogue } from './modelCatalogue.js';
import { bullConnection, CANCEL_CHANNEL, connectRedis, KEY_PREFIX, QUEUE_NAME } from './redisConnection.js';
import { CANCELLED_REASON } from './redisJobQueue.js';
import { nameOf, runUpscaleJob } from './runUpscaleJob.js';

export interface RedisWorkerOptions {
  catalogue: ModelCatalogue;
  /** Jobs at once in this process (default 1: one model run already uses every core). */
  concurrency?: number;
  /** Models compiled before the first job (kept warm: loadModelRunner compiles each once per process). */
  preload?: readonly string[];
  resultTtlSeconds: number;
  threads?: number;
  /** Tile side for every job (default: from the memory budget). */
  tile?: number;
  /**
   * How long a job's lock lasts without renewal: a worker that dies (SIGKILL, a lost machine) gives its
   * job back to the queue this long after (BullMQ's stalled-job check), and another worker takes it.
   */
  lockMs?: number;
  /** Told each job's start and end, for the worker's log. */
  onJob?: (event: { id: string; picture: string; state: 'running' | 'done' | 'failed' | 'cancelled'; message?: string }) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

/**
 * `enhance worker`: takes upscale jobs from the Redis queue and runs them with the library, `concurrency`
 * at a time. A problem with a job's picture or options fails that job at once (no retries: another
 * attempt cannot help); anything else (this machine) is retried with backoff by BullMQ. A cancel
 * announced on the cancel channel stops the job between tiles.
 */
export async function startRedisWorker(url: string, options: RedisWorkerOptions): Promise<RunningWorker> {
  for (const model of options.preload ?? []) {
    const path = options.catalogue.pathOf(model);
    if (path) await loadModelRunner(path, { threads: options.threads });
  }
  const redis = connectRedis(url);
  const store = new RedisBlobStore(redis, `${KEY_PREFIX}:blob:`);
  const lockDuration = options.lockMs ?? 30_000;
  const worker = new Worker<UpscaleJobData, JobResult>(
    QUEUE_NAME,
    async (job, _token, signal) => {
      const id = job.id!;
      const picture = nameOf(job.data);
      options.onJob?.({ id, picture, state: 'running' });
      let told = 0;
      try {
        const result = await runUpscaleJob(job.data, {
          store,
          catalogue: options.catalogue,
          resultTtlSeconds: options.resultTtlSeconds,
          threads: options.threads,
          tile: options.tile,
          signal,
          onProgress: (fraction) => {
            if (fraction - told < 0.02 && fraction < 1) return;
            told = fraction;
            void job.updateProgress(fraction).catch(() => {});
          },
        });
        options.onJob?.({ id, picture, state: 'done' });
        return result;
      } catch (error) {
        if (isCancelledError(error)) {
          options.onJob?.({ id, picture, state: 'cancelled' });
          throw new UnrecoverableError(CANCELLED_REASON);
        }
        const message = error instanceof Error ? error.message : String(error);
        options.onJob?.({ id, picture, state: 'failed', message });
        if (error instanceof JobInputError) throw new UnrecoverableError(message);
        throw error;
      }
    },
    {
      connection: bullConnection(url),
      prefix: KEY_PREFIX,
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
      maxStalledCount: 2,
    },
  );
  worker.on('error', () => {}); // connection errors during a Redis restart: BullMQ reconnects
  const subscriber = connectRedis(url);
  await subscriber.subscribe(CANCEL_CHANNEL);
  subscriber.on('message', (_channel, id: string) => worker.cancelJob(id, CANCELLED_REASON));
  await worker.waitUntilReady();
  return {
    async close() {
      await worker.close();
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}
