import { MemoryBlobStore, type BlobStore } from './blobStore.js';
import type { JobQueue } from './jobQueue.js';
import { MemoryJobQueue } from './memoryJobQueue.js';
import type { ModelCatalogue } from './modelCatalogue.js';
import { redisUrl } from './redisConnection.js';
import { RedisJobQueue } from './redisJobQueue.js';

export interface QueueSettings {
  catalogue: ModelCatalogue;
  resultTtlSeconds: number;
  /** Memory queue: jobs at once in this process. */
  concurrency?: number;
  threads?: number;
}

/** `--queue memory` (jobs run in this process) or `--queue redis://host:port` (jobs run by `enhance worker`s). */
export function openJobQueue(queue: string, settings: QueueSettings): { queue: JobQueue; store: BlobStore } {
  if (queue === 'memory') {
    const store = new MemoryBlobStore();
    return { queue: new MemoryJobQueue({ store, ...settings }), store };
  }
  const redis = new RedisJobQueue(redisUrl(queue), { resultTtlSeconds: settings.resultTtlSeconds });
  return { queue: redis, store: redis.store };
}
