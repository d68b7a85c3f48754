import { readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ApiLimits } from '../../src/serve/apiRoutes.js';
import { createWebApp } from '../../src/serve/webServer.js';
import { MemoryBlobStore } from '../../src/service/blobStore.js';
import type { JobStatus } from '../../src/service/jobData.js';
import { MemoryJobQueue } from '../../src/service/memoryJobQueue.js';
import { ModelCatalogue } from '../../src/service/modelCatalogue.js';
import { upscale } from '../../src/upscale/upscale.js';
import { repoRoot, temporaryDirectory } from '../helpers.js';

const MODEL = join(repoRoot, 'test/fixtures/models/realesrgan-compact-x4.pth');

/** The web app with the API on a memory queue, answering in-process requests (Hono's app.request). */
function apiApp(options: { host?: string; apiKey?: string; limits?: Partial<ApiLimits>; storage?: string; runsDir: string; tile?: number }) {
  const store = new MemoryBlobStore();
  const catalogue = new ModelCatalogue([MODEL]);
  const queue = new MemoryJobQueue({ store, catalogue, resultTtlSeconds: 60, tile: options.tile });
  const app = createWebApp({
    runsDir: options.runsDir,
    host: options.host,
    api: { queue, store, catalogue, resultTtlSeconds: 60, storage: options.storage, apiKey: options.apiKey, limits: { ...DEFAULT_LIMITS, ...options.limits } },
  });
  const request = (path: string, init: RequestInit = {}) => app.request(`http://localhost${path}`, init);
  return { app, queue, request };
}

/** A noise picture (incompressible, so its PNG size is predictable), different for each seed. */
async function png(width: number, height: number, seed = 0): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let state = seed * 7919 + 1;
  for (let i = 0; i < data.length; i++) data[i] = (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 24;
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** The job's status once it is neither queued nor running (in-process requests never yield to timers: wait between polls). */
async function settled(request: (path: string) => Response | Promise<Response>, id: string): Promise<JobStatus> {
  for (;;) {
    const status = (await (await request(`/v1/jobs/${id}`)).json()) as JobStatus;
    if (status.state !== 'queued' && status.state !== 'running') return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const post = (body: Uint8Array, headers: Record<string, string> = { 'Content-Type': 'image/png' }): RequestInit => ({ method: 'POST', body: new Uint8Array(body) as Uint8Array<ArrayBuffer>, headers });

describe('the HTTP API (memory queue)', () => {
  let dir: string;
  let api: ReturnType<typeof apiApp>;
  let picture: Buffer;

  beforeAll(async () => {
    dir = await temporaryDirectory();
    api = apiApp({ runsDir: join(dir, 'runs'), storage: dir, tile: 32 });
    picture = await png(24, 16);
  });
  afterAll(() => api.queue.close());

  it('POST /v1/upscale answers with the picture the library makes, in the format asked', async () => {
    const response = await api.request('/v1/upscale?model=realesrgan-compact-x4&format=webp&quality=90', post(picture));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    const body = Buffer.from(await response.arrayBuffer());
    const expected = await upscale(picture, { model: MODEL }).toBuffer({ format: 'webp', quality: 90 });
    expect(body.equals(expected)).toBe(true);
    expect((await sharp(body).metadata()).width).toBe(96);
  }, 60_000);

  it('POST /v1/upscale takes multipart too, with the options as fields; width keeps the aspect', async () => {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(picture)], { type: 'image/png' }), 'small.png');
    form.append('width', '60');
    form.append('model', 'realesrgan-compact-x4');
    const response = await api.request('/v1/upscale', { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const info = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect([info.format, info.width, info.height]).toEqual(['png', 60, 40]);
  }, 60_000);

  it('refuses with a 4xx naming the field or the limit', async () => {
    const cases: [string, RequestInit, number, RegExp, string?][] = [
      ['/v1/upscale?scale=40', post(picture), 400, /option 'scale': must be a number from 1 to 16/, 'scale'],
      ['/v1/upscale?scale=big', post(picture), 400, /option 'scale'/, 'scale'],
      ['/v1/upscale?format=bmp', post(picture), 400, /option 'format': must be one of png/, 'format'],
      ['/v1/upscale?scale=2&width=10', post(picture), 400, /either 'scale' or 'width'/, 'scale'],
      ['/v1/upscale?colour=red', post(picture), 400, /unknown option 'colour'/, 'colour'],
      ['/v1/upscale?model=../../etc/passwd', post(picture), 400, /unknown model/, 'model'],
      ['/v1/upscale?model=RealESRGAN_x4plus', post(picture), 400, /unknown model 'RealESRGAN_x4plus'/, 'model'],
      ['/v1/upscale', post(new Uint8Array(0)), 400, /no picture/, 'image'],
      ['/v1/upscale', post(Buffer.from('not a picture at all')), 415, /is not a picture/, 'image'],
      ['/v1/jobs', { method: 'POST', body: JSON.stringify({ paths: [{ input: '../outside.png', output: 'o.png' }] }), headers: { 'Content-Type': 'application/json' } }, 400, /inside the storage folder/, 'paths.0'],
      ['/v1/jobs', { method: 'POST', body: JSON.stringify({ paths: [] }), headers: { 'Content-Type': 'application/json' } }, 400, /paths/, 'paths'],
      ['/v1/jobs/0123456789abcdef0123456789abcdef', {}, 404, /no job/],
      ['/v1/jobs/not-an-id/result', {}, 404, /no job/],
      ['/v1/nothing', {}, 404, /not found/],
    ];
    for (const [path, init, status, message, field] of cases) {
      const response = await api.request(path, init);
      const body = (await response.json()) as { error: string; field?: string };
      expect(response.status, path).toBe(status);
      expect(body.error, path).toMatch(message);
      if (field) expect(body.field, path).toBe(field);
    }
  });

  it('413 for a body over the limit and for too many pixels; 429 with Retry-After when the queue is full', async () => {
    const small = apiApp({ runsDir: join(dir, 'runs'), limits: { maxBodyBytes: 4000, maxInputPixels: 200, maxQueued: 1 } });
    const big = await png(60, 60);
    expect(big.length).toBeGreaterThan(4000);
    const tooBig = await small.request('/v1/upscale', post(big));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: string }).error).toMatch(/larger than this server takes/);
    const tooMany = await small.request('/v1/jobs', post(await png(20, 20)));
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { error: string }).error).toMatch(/20x20 is more pixels than this server takes \(200\)/);
    // One job running, one waiting: the next is refused.
    const accepted = [];
    for (let seed = 1; seed <= 2; seed++) accepted.push((await small.request('/v1/jobs', post(await png(10, 10, seed)))).status);
    expect(accepted).toEqual([202, 202]);
    const full = await small.request('/v1/jobs', post(await png(10, 10, 3)));
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toMatch(/^\d+$/);
    await small.queue.close();
  }, 60_000);

  it('POST /v1/jobs: 202 with an id, the same picture and options are the same job; status, result, events', async () => {
    const first = await api.request('/v1/jobs?model=realesrgan-compact-x4&scale=2', post(await png(20, 12, 7)));
    expect(first.status).toBe(202);
    const job = (await first.json()) as JobStatus & { duplicate: boolean; links: Record<string, string> };
    expect(job.id).toMatch(/^[0-9a-f]{32}$/);
    expect(first.headers.get('location')).toBe(`/v1/jobs/${job.id}`);
    const again = (await (await api.request('/v1/jobs?scale=2&model=realesrgan-compact-x4', post(await png(20, 12, 7)))).json()) as { id: string; duplicate: boolean };
    expect(again).toMatchObject({ id: job.id, duplicate: true });

    // Server-sent events until the job ends: states in order, progress rising to 1.
    const events = await api.request(job.links.events);
    expect(events.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await events.text();
    const statuses = [...text.matchAll(/^event: status\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]) as JobStatus);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.at(-1)).toMatchObject({ state: 'done', progress: 1 });
    const progress = statuses.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const status = (await (await api.request(`/v1/jobs/${job.id}`)).json()) as JobStatus;
    expect(status).toMatchObject({ id: job.id, state: 'done', progress: 1, attempts: 1 });
    const result = await api.request(`/v1/jobs/${job.id}/result`);
    expect(result.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await result.arrayBuffer())).metadata()).width).toBe(40);
  }, 60_000);

  it('POST /v1/jobs with paths in the storage folder: written there atomically; the result names it', async () => {
    await writeFile(join(dir, 'shared.png'), await png(16, 12, 21));
    const body = JSON.stringify({ paths: [{ input: 'shared.png', output: 'out/shared_x4.webp' }], options: { model: 'realesrgan-compact-x4' } });
    const response = await api.request('/v1/jobs', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(202);
    const { jobs } = (await response.json()) as { jobs: JobStatus[] };
    expect(jobs.length).toBe(1);
    const status = await settled(api.request, jobs[0].id);
    expect(status).toMatchObject({ state: 'done', output: join(dir, 'out/shared_x4.webp') });
    expect(await (await api.request(`/v1/jobs/${jobs[0].id}/result`)).json()).toEqual({ output: join(dir, 'out/shared_x4.webp') });
    const info = await sharp(join(dir, 'out/shared_x4.webp')).metadata();
    expect([info.format, info.width, info.height]).toEqual(['webp', 64, 48]);
    expect(await readdir(join(dir, 'out'))).toEqual(['shared_x4.webp']); // no temporary left
    // Submitted again after its output was deleted, the job runs again (not answered by the finished one).
    await rm(join(dir, 'out/shared_x4.webp'));
    const again = (await (await api.request('/v1/jobs', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })).json()) as { jobs: JobStatus[] };
    expect(again.jobs[0].id).toBe(jobs[0].id);
    expect((await settled(api.request, jobs[0].id)).state).toBe('done');
    expect(await readdir(join(dir, 'out'))).toEqual(['shared_x4.webp']);
    // A request with one bad pair queues none of its pairs.
    const pairs = [{ input: 'shared.png', output: 'out/never.png' }, { input: 'none.png', output: 'o.png' }];
    const missing = await api.request('/v1/jobs', { method: 'POST', body: JSON.stringify({ paths: pairs }), headers: { 'Content-Type': 'application/json' } });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/paths\[1\]\.input: none\.png: no such file/);
    expect(await api.queue.waiting()).toBe(0);
    // A link inside the storage folder that leads out of it is refused.
    await symlink(join(repoRoot, 'package.json'), join(dir, 'escape.png'));
    const escaping = await api.request('/v1/jobs', { method: 'POST', body: JSON.stringify({ paths: [{ input: 'escape.png', output: 'out/e.png' }] }), headers: { 'Content-Type': 'application/json' } });
    expect(escaping.status).toBe(400);
    expect(((await escaping.json()) as { error: string }).error).toMatch(/leads outside the storage folder/);
    expect(await readdir(join(dir, 'out'))).toEqual(['shared_x4.webp']);
  }, 60_000);

  it('a corrupt picture past the header check fails its own job with a line naming it', async () => {
    const truncated = (await png(64, 64, 9)).subarray(0, 200); // a header sharp reads, pixels it cannot
    const response = await api.request('/v1/jobs?name=broken.png', post(truncated));
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const status = await settled(api.request, id);
    expect(status.state).toBe('failed');
    expect(status.error).toMatch(/^broken\.png: /);
    expect(status.error).not.toMatch(/\n/);
    expect((await api.request(`/v1/jobs/${id}/result`)).status).toBe(409);
  }, 60_000);

  it('DELETE cancels a queued job; the OpenAPI document names every route', async () => {
    // The queue runs one job at a time: the second waits while the first runs.
    const running = (await (await api.request('/v1/jobs?model=realesrgan-compact-x4', post(await png(400, 400, 11)))).json()) as { id: string };
    const waiting = (await (await api.request('/v1/jobs?model=realesrgan-compact-x4', post(await png(400, 400, 12)))).json()) as { id: string };
    const cancelled = (await (await api.request(`/v1/jobs/${waiting.id}`, { method: 'DELETE' })).json()) as JobStatus;
    expect(cancelled.state).toBe('cancelled');
    const stopped = (await (await api.request(`/v1/jobs/${running.id}`, { method: 'DELETE' })).json()) as JobStatus;
    expect(['running', 'cancelled']).toContain(stopped.state);
    expect((await settled(api.request, running.id)).state).toBe('cancelled');

    const document = (await (await api.request('/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.0.3');
    expect(Object.keys(document.paths).sort()).toEqual(['/v1/jobs', '/v1/jobs/{id}', '/v1/jobs/{id}/events', '/v1/jobs/{id}/result', '/v1/models', '/v1/openapi.json', '/v1/upscale']);
    expect(Object.keys(document.paths['/v1/jobs/{id}']).sort()).toEqual(['delete', 'get']);
    // Valid against the OpenAPI 3.0 schema; the validator does refuse a broken one.
    expect(await new Validator().validate(document)).toEqual({ valid: true });
    const broken = structuredClone(document) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    delete broken.paths['/v1/models'].get.responses;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  }, 120_000);

  it('finished jobs and their results expire after the configured time', async () => {
    const store = new MemoryBlobStore();
    const catalogue = new ModelCatalogue([MODEL]);
    const queue = new MemoryJobQueue({ store, catalogue, resultTtlSeconds: 1 });
    const app = createWebApp({ runsDir: join(dir, 'runs'), api: { queue, store, catalogue, resultTtlSeconds: 1, limits: DEFAULT_LIMITS } });
    const request = (path: string, init?: RequestInit) => app.request(`http://localhost${path}`, init);
    const { id } = (await (await request('/v1/jobs?model=realesrgan-compact-x4', post(await png(8, 8, 31)))).json()) as { id: string };
    expect((await settled(request, id)).state).toBe('done');
    expect((await request(`/v1/jobs/${id}/result`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect((await request(`/v1/jobs/${id}`)).status).toBe(404);
    expect((await request(`/v1/jobs/${id}/result`)).status).toBe(404);
    await queue.close();
  }, 30_000);

  it('off loopback the API key is required, compared in constant time; on loopback it is optional', async () => {
    expect(() => apiApp({ runsDir: join(dir, 'runs'), host: '0.0.0.0' })).toThrow(/give --api-key/);
    const guarded = apiApp({ runsDir: join(dir, 'runs'), host: '0.0.0.0', apiKey: 's3cret-key' });
    const models = (headers: Record<string, string>) => guarded.request('/v1/models', { headers });
    expect((await models({})).status).toBe(401);
    expect((await models({})).headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(((await (await models({ Authorization: 'Bearer wrong' })).json()) as { error: string }).error).toBe('wrong API key');
    expect((await models({ Authorization: 'Bearer s3cret-key-and-more' })).status).toBe(401);
    expect((await models({ Authorization: 'Bearer s3cret-key' })).status).toBe(200);
    expect((await models({ 'X-API-Key': 's3cret-key' })).status).toBe(200);
    expect((await guarded.request('/v1/openapi.json')).status).toBe(200); // the document is public
    expect((await api.request('/v1/models')).status).toBe(200); // loopback, no key set
    await guarded.queue.close();
  });
});
