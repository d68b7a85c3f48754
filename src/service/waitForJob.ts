import type { JobStatus } from './jobData.js';
import { isFinished, type JobQueue } from './jobQueue.js';

/**
 * The job's status once it has ended (done, failed, cancelled), from its events, with a poll every
 * `pollMs` in case an event was missed (a Redis reconnect); undefined when the job is not known.
 * `onChange` is told every status seen on the way; `signal` stops the wait (the job goes on).
 */
export function waitForJob(queue: JobQueue, id: string, options: { onChange?: (status: JobStatus) => void; signal?: AbortSignal; pollMs?: number } = {}): Promise<JobStatus | undefined> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (status: JobStatus | undefined, error?: unknown) => {
      if (settled) return;
      settled = true;
      unwatch();
      clearInterval(poll);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(status);
    };
    const seen = (status: JobStatus | undefined) => {
      if (settled) return;
      if (!status) return done(undefined);
      options.onChange?.(status);
      if (isFinished(status)) done(status);
    };
    const check = () => queue.status(id).then(seen, () => {}); // a Redis outage: the next poll tries again
    const unwatch = queue.watch(id, seen);
    const poll = setInterval(check, options.pollMs ?? 1000);
    const onAbort = () => done(undefined, options.signal!.reason);
    options.signal?.addEventListener('abort', onAbort);
    void check();
  });
}
