import { Redis } from 'ioredis';
import { EnhanceError } from '../errors.js';

/** The BullMQ queue every enhance server, client and worker on one Redis shares, and its key prefix. */
export const QUEUE_NAME = 'upscale';
export const KEY_PREFIX = 'enhance';
/** The pub/sub channel a cancel of a running job is announced on (the worker running it stops between tiles). */
export const CANCEL_CHANNEL = `${KEY_PREFIX}:cancel`;

/** A `--queue redis://host:port[/db]` (or rediss://) URL checked, or a one-line error naming the flag. */
export function redisUrl(queue: string): string {
  const refusal = new EnhanceError(`--queue: '${queue}' is not a redis://host:port URL${queue === 'memory' ? " ('memory' is enhance serve's in-process queue; workers and upscale --queue need Redis)" : ''}`);
  let url: URL;
  try {
    url = new URL(queue);
  } catch {
    throw refusal;
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw refusal;
  return queue;
}

/**
 * A Redis connection that keeps trying while Redis is away (a restart): BullMQ's workers need
 * `maxRetriesPerRequest: null` so a command waits for the reconnect instead of failing.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(200 * times, 2000) });
  // Errors while reconnecting are expected during a restart; ioredis retries. Unhandled, they would crash.
  redis.on('error', () => {});
  return redis;
}

/** BullMQ's connection options for a URL: each Queue/Worker makes its own connections, reconnecting as above. */
export function bullConnection(url: string) {
  return { url, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(200 * times, 2000) };
}
