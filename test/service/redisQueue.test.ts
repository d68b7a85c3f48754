import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/serve/apiRoutes.js';
import { createWebApp } from '../../src/serve/webServer.js';
import { jobOptionsSchema } from '../../src/service/jobOptions.js';
import { ModelCatalogue } from '../../src/service/modelCatalogue.js';
import { upscale } from '../../src/upscale/upscale.js';
import { RedisJobQueue } from '../../src/service/redisJobQueue.js';
import { repoRoot, runCli, temporaryDirectory } from '../helpers.js';
import { hasRedis, RedisServer } from './redisServer.js';
import { WorkerProcess } from './workerProcess.js';

const MODEL = join(repoRoot, 'test/fixtures/models/realesrgan-compact-x4.pth');
const MODEL_NAME = 'realesrgan-compact-x4';

/** A noise picture, different for each seed. */
async function writeNoise(path: string, width: number, height: number, seed: number): Promise<void> {
  const data = Buffer.alloc(width * height * 3);
  let state = seed * 7919 + 1;
  for (let i = 0; i < data.length; i++) data[i] = (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;
  await sharp(data, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

/** A worker on the test's model and small tiles (`extra`: more flags). */
const startWorker = (url: string, extra: string[] = []) => WorkerProcess.start(['--queue', url, '--models', MODEL, '--preload', MODEL_NAME, '--threads', '1', '--tile', '16', '--lock-ms', '3000', ...extra]);

const until = async (condition: () => boolean, timeoutMs: number, what: string) => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

async function pixels(path: string): Promise<Buffer> {
  return sharp(path).raw().toBuffer();
}

describe.skipIf(!hasRedis)('the Redis queue (BullMQ) with enhance workers', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await redis?.close();
  });

  it('40 pictures on two workers: one killed mid-job and Redis restarted, every picture still comes out once, equal to the local CLI; a corrupt one fails alone', async () => {
    const dir = await temporaryDirectory();
    const inputs = join(dir, 'in');
    await mkdir(inputs);
    for (let i = 0; i < 39; i++) await writeNoise(join(inputs, `p${String(i).padStart(2, '0')}.png`), 40, 32, i + 1);
    await writeNoise(join(inputs, 'big.png'), 240, 200, 99); // hundreds of tiles: still running when its worker is killed
    const broken = await sharp(Buffer.alloc(64 * 64 * 3, 7), { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
    await writeFile(join(inputs, 'corrupt.png'), broken.subarray(0, 60));

    const local = await runCli(['upscale', inputs, '-o', join(dir, 'local'), '--model', MODEL, '--scale', '4', '--tile', '16', '--threads', '1']);
    expect(local.code).toBe(2); // the corrupt picture

    workers.push(await startWorker(redis.url), await startWorker(redis.url));
    const client = runCli(['upscale', inputs, '-o', join(dir, 'queued'), '--model', MODEL_NAME, '--scale', '4', '--queue', redis.url]);

    // Kill the worker that took the big picture, mid-job; then restart Redis under the survivor.
    await until(() => workers.some((w) => w.lines('running', 'big.png').length > 0), 60_000, 'the big picture to start');
    const victim = workers.find((w) => w.lines('running', 'big.png').length > 0)!;
    const survivor = workers.find((w) => w !== victim)!;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(victim.lines('done', 'big.png')).toEqual([]);
    await victim.stop('SIGKILL');
    await redis.restart(1000);

    const result = await client;
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/enhance: \S*corrupt\.png: not an image/);
    expect(result.stderr).not.toMatch(/Warning/);
    expect(result.stderr).toMatch(/1 of 41 pictures failed/);

    const outputs = (await readdir(join(dir, 'queued'))).sort();
    expect(outputs).toEqual((await readdir(join(dir, 'local'))).sort());
    expect(outputs.length).toBe(40);
    for (const name of outputs) expect((await pixels(join(dir, 'queued', name))).equals(await pixels(join(dir, 'local', name))), name).toBe(true);

    // Each picture was finished once, by one worker; the big one was taken again by the survivor.
    const done = [...victim.lines('done'), ...survivor.lines('done')].map((line) => line.split(' ').at(-1));
    expect(done.length).toBe(40);
    expect(new Set(done).size).toBe(40);
    expect(survivor.lines('done', 'big.png').length).toBe(1);
    expect(survivor.lines('failed', 'corrupt.png').length + victim.lines('failed', 'corrupt.png').length).toBe(1);
  }, 300_000);

  it('cancel removes a queued job, and stops a running one between tiles', async () => {
    const dir = await temporaryDirectory();
    const queue = new RedisJobQueue(redis.url, { resultTtlSeconds: 60 });
    try {
      for (const w of workers) await w.stop('SIGKILL');
      workers.length = 0;
      const options = jobOptionsSchema.parse({ model: MODEL_NAME });
      const input = join(dir, 'slow.png');
      await writeNoise(input, 320, 240, 5);
      const job = (name: string) => ({ options, input: { path: input }, output: { path: join(dir, name) } });

      // No worker yet: the job waits, and cancelling it removes it.
      await queue.submit('a'.repeat(32), job('queued.png'));
      expect((await queue.status('a'.repeat(32)))?.state).toBe('queued');
      expect((await queue.cancel('a'.repeat(32)))?.state).toBe('cancelled');
      expect(await queue.waiting()).toBe(0);

      workers.push(await startWorker(redis.url));
      await queue.submit('b'.repeat(32), job('running.png'));
      await until(() => workers[0].lines('running', 'slow.png').length > 0, 30_000, 'the job to start');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await queue.cancel('b'.repeat(32));
      await until(() => workers[0].lines('cancelled', 'slow.png').length > 0, 30_000, 'the worker to stop the job');
      let state;
      for (let i = 0; i < 50 && (state = (await queue.status('b'.repeat(32)))?.state) !== 'cancelled'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(state).toBe('cancelled');
      expect(workers[0].lines('done', 'slow.png')).toEqual([]);
      expect((await readdir(dir)).sort()).toEqual(['slow.png']); // nothing written, not even a temporary file
    } finally {
      await queue.close();
    }
  }, 120_000);

  it('the HTTP API on the Redis queue: a picture sent over HTTP is upscaled by a worker on another process, progress as events', async () => {
    const queue = new RedisJobQueue(redis.url, { resultTtlSeconds: 60 });
    try {
      if (workers.length === 0) workers.push(await startWorker(redis.url));
      const catalogue = new ModelCatalogue([MODEL]);
      const app = createWebApp({ runsDir: join(await temporaryDirectory(), 'runs'), api: { queue, store: queue.store, catalogue, resultTtlSeconds: 60, limits: DEFAULT_LIMITS } });
      const dir = await temporaryDirectory();
      await writeNoise(join(dir, 'http.png'), 48, 40, 3);
      const picture = await readFile(join(dir, 'http.png'));
      const init = { method: 'POST', body: new Uint8Array(picture) as Uint8Array<ArrayBuffer>, headers: { 'Content-Type': 'image/png' } };
      const now = await app.request(`http://localhost/v1/upscale?model=${MODEL_NAME}`, init);
      expect(now.status).toBe(200);
      const expected = await upscale(picture, { model: MODEL, tile: 16, threads: 1 }).raw();
      expect((await sharp(Buffer.from(await now.arrayBuffer())).raw().toBuffer()).equals(Buffer.from(expected.data))).toBe(true);

      const queued = await app.request(`http://localhost/v1/jobs?model=${MODEL_NAME}&scale=2`, init);
      expect(queued.status).toBe(202);
      const { id } = (await queued.json()) as { id: string };
      const text = await (await app.request(`http://localhost/v1/jobs/${id}/events`)).text();
      const states = [...text.matchAll(/^data: (.*)$/gm)].map((m) => (JSON.parse(m[1]) as { state: string }).state);
      expect(states.at(-1)).toBe('done');
      const result = await app.request(`http://localhost/v1/jobs/${id}/result`);
      expect((await sharp(Buffer.from(await result.arrayBuffer())).metadata()).width).toBe(96);
    } finally {
      await queue.close();
    }
  }, 120_000);
});
