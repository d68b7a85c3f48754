import type { Redis } from 'ioredis';

/**
 * Where pictures wait for a worker and results wait for their client: bytes under a key, gone after
 * `ttlSeconds`. In the process for the memory queue; in Redis for workers on other machines.
 */
export interface BlobStore {
  put(key: string, bytes: Uint8Array, ttlSeconds: number): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
}

/** Blobs in this process, at most `maxBytes` of them: past that, the oldest go first (their jobs fail, saying so). */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, { bytes: Buffer; timer: NodeJS.Timeout }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 1024 * 2 ** 20) {}

  async put(key: string, bytes: Uint8Array, ttlSeconds: number): Promise<void> {
    await this.delete(key);
    const timer = setTimeout(() => void this.delete(key), ttlSeconds * 1000);
    timer.unref();
    this.blobs.set(key, { bytes: Buffer.from(bytes), timer });
    this.bytes += bytes.byteLength;
    for (const oldest of this.blobs.keys()) {
      if (this.bytes <= this.maxBytes || oldest === key) break;
      await this.delete(oldest);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.blobs.get(key)?.bytes;
  }

  async delete(key: string): Promise<void> {
    const blob = this.blobs.get(key);
    if (!blob) return;
    clearTimeout(blob.timer);
    this.bytes -= blob.bytes.byteLength;
    this.blobs.delete(key);
  }
}

/** Blobs as Redis strings with an expiry (SET ... EX), under the queue's prefix. */
export class RedisBlobStore implements BlobStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async put(key: string, bytes: Uint8Array, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.prefix + key, Buffer.from(bytes), 'EX', Math.max(1, Math.round(ttlSeconds)));
  }

  async get(key: string): Promise<Buffer | undefined> {
    return (await this.redis.getBuffer(this.prefix + key)) ?? undefined;
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
