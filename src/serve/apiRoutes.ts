import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import sharp, { type Metadata } from 'sharp';
import { z } from 'zod';
import type { BlobStore } from '../service/blobStore.js';
import { blobKeys, type JobStatus, type UpscaleJobData } from '../service/jobData.js';
import { digestOf, fileDigest, jobKey, jobOptionsSchema, optionProblem, optionsFromFields, type JobOptions } from '../service/jobOptions.js';
import { isFinished, type JobQueue } from '../service/jobQueue.js';
import type { ModelCatalogue } from '../service/modelCatalogue.js';
import { waitForJob } from '../service/waitForJob.js';
import { listShippedModels } from '../models/shippedModels.js';
import { openApiDocument } from './openApi.js';

export interface ApiLimits {
  /** Largest request body (a picture, or a multipart form), bytes: 413 above. */
  maxBodyBytes: number;
  /** Largest picture, pixels (read from its header before anything else): 413 above. */
  maxInputPixels: number;
  /** Jobs waiting for a worker: 429 with Retry-After when that many wait. */
  maxQueued: number;
}

export const DEFAULT_LIMITS: ApiLimits = { maxBodyBytes: 50 * 2 ** 20, maxInputPixels: 40_000_000, maxQueued: 200 };

export interface ApiOptions {
  queue: JobQueue;
  /** Where pictures sent over HTTP wait for their worker (the queue's store). */
  store: BlobStore;
  catalogue: ModelCatalogue;
  limits: ApiLimits;
  resultTtlSeconds: number;
  /** The folder every worker sees at the same path (a shared mount): path jobs must stay inside it. */
  storage?: string;
}

type Problem = { status: 400 | 404 | 413 | 415 | 429; error: string; field?: string; retryAfter?: number };
const isProblem = (value: unknown): value is Problem => typeof value === 'object' && value !== null && 'error' in value && 'status' in value;

function problem(c: Context, p: Problem): Response {
  if (p.retryAfter !== undefined) c.header('Retry-After', String(p.retryAfter));
  return c.json({ error: p.error, ...(p.field ? { field: p.field } : {}) }, p.status);
}

/** Options from fields (query string, form fields) checked by the schema; the model must be one this service serves. */
function checkedOptions(fields: Record<string, unknown>, catalogue: ModelCatalogue): JobOptions | Problem {
  const parsed = jobOptionsSchema.safeParse(fields);
  if (!parsed.success) {
    const { field, message } = optionProblem(parsed.error);
    return { status: 400, error: message, field };
  }
  if (parsed.data.model !== undefined && catalogue.pathOf(parsed.data.model) === undefined) {
    const listed = catalogue.listedNames();
    return { status: 400, field: 'model', error: `option 'model': unknown model '${parsed.data.model}' (see GET /v1/models${listed.length ? `; listed: ${listed.join(', ')}` : ''})` };
  }
  return parsed.data;
}

/** A picture sent as the body (any image type) or as the multipart field 'image', with the option fields. */
async function readPicture(c: Context, limits: ApiLimits): Promise<{ bytes: Buffer; name: string; fields: Record<string, string> } | Problem> {
  const fields: Record<string, string> = { ...c.req.query() };
  let name = fields.name ?? 'picture';
  delete fields.name;
  let bytes: Buffer;
  if ((c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
    const form = await c.req.parseBody();
    const file = form.image;
    if (!(file instanceof File)) return { status: 400, field: 'image', error: "the multipart form has no file field 'image'" };
    for (const [key, value] of Object.entries(form)) if (key !== 'image' && typeof value === 'string') fields[key] = value;
    name = fields.name ?? (file.name || name);
    delete fields.name;
    bytes = Buffer.from(await file.arrayBuffer());
  } else {
    bytes = Buffer.from(await c.req.arrayBuffer());
  }
  if (bytes.length === 0) return { status: 400, field: 'image', error: 'the request has no picture: send it as the body or as the multipart field image' };
  let header: Metadata;
  try {
    header = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return { status: 415, field: 'image', error: `${name}: is not a picture enhance can read (PNG, JPEG, WebP, TIFF, AVIF, GIF)` };
  }
  const pixels = (header.width ?? 0) * (header.height ?? 0);
  if (pixels > limits.maxInputPixels) {
    return { status: 413, field: 'image', error: `${name}: ${header.width}x${header.height} is more pixels than this server takes (${limits.maxInputPixels.toLocaleString('en')})` };
  }
  return { bytes, name, fields };
}

async function queueFull(queue: JobQueue, limits: ApiLimits): Promise<Problem | undefined> {
  const waiting = await queue.waiting();
  if (waiting < limits.maxQueued) return undefined;
  return { status: 429, error: `the queue is full (${waiting} jobs wait); retry later`, retryAfter: 5 };
}

/** A picture request's picture and options, checked in the order a client fixes them: the picture, its options, then room in the queue. */
async function acceptPicture(c: Context, o: ApiOptions): Promise<{ picture: { bytes: Buffer; name: string }; options: JobOptions } | Problem> {
  const picture = await readPicture(c, o.limits);
  if (isProblem(picture)) return picture;
  const options = checkedOptions(optionsFromFields(picture.fields), o.catalogue);
  if (isProblem(options)) return options;
  return (await queueFull(o.queue, o.limits)) ?? { picture, options };
}

/** Queue a picture sent over HTTP: its bytes in the store under their digest, its result under the job's id. */
async function submitPicture(o: ApiOptions, picture: { bytes: Buffer; name: string }, options: JobOptions) {
  const digest = digestOf(picture.bytes);
  const id = jobKey(digest, options);
  await o.store.put(blobKeys.input(digest), picture.bytes, o.resultTtlSeconds);
  const data: UpscaleJobData = { options, input: { blob: blobKeys.input(digest), name: picture.name }, output: { blob: blobKeys.result(id) } };
  return o.queue.submit(id, data);
}

const pathJobsSchema = z
  .object({
    paths: z.array(z.object({ input: z.string().min(1), output: z.string().min(1) }).strict()).min(1).max(10_000),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** A path inside the storage folder (relative to it, or absolute within it), or undefined. */
function insideStorage(storage: string, path: string): string | undefined {
  const full = resolve(storage, path);
  const rel = relative(storage, full);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? undefined : full;
}

/** Whether `path` (or, when it does not exist yet, its nearest existing folder) really is inside `storage`, links followed. */
async function realInside(storage: string, path: string): Promise<boolean> {
  const root = await realpath(storage);
  let probe = path;
  for (;;) {
    const real = await realpath(probe).catch(() => undefined);
    if (real !== undefined) return insideStorage(root, real) !== undefined || real === root;
    const parent = dirname(probe);
    if (parent === probe) return false;
    probe = parent;
  }
}

const statusBody = (status: JobStatus) => ({ ...status, links: { self: `/v1/jobs/${status.id}`, result: `/v1/jobs/${status.id}/result`, events: `/v1/jobs/${status.id}/events` } });

/**
 * The HTTP API under /v1 (docs/API.md; the OpenAPI document at /v1/openapi.json): an upscale answered
 * at once for small pictures, and jobs (a picture, or paths on storage the workers share) followed by
 * id. Every refusal is a 4xx with one line naming the field or the limit.
 */
export function apiRoutes(o: ApiOptions): Hono {
  const api = new Hono();
  const limit = bodyLimit({
    maxSize: o.limits.maxBodyBytes,
    onError: (c) => c.json({ error: `the request body is larger than this server takes (${Math.round(o.limits.maxBodyBytes / 2 ** 20)} MB)` }, 413),
  });

  api.get('/openapi.json', (c) => c.json(openApiDocument()));

  api.get('/models', async (c) => {
    const shipped = (await listShippedModels()).map((m) => ({ name: m.name, scale: m.scale, arch: m.arch, default: m.isDefault }));
    return c.json({ shipped, listed: o.catalogue.listedNames() });
  });

  api.post('/upscale', limit, async (c) => {
    const accepted = await acceptPicture(c, o);
    if (isProblem(accepted)) return problem(c, accepted);
    const { picture, options } = accepted;
    const { status } = await submitPicture(o, picture, options);
    const final = await waitForJob(o.queue, status.id, { signal: c.req.raw.signal }).catch(() => undefined);
    if (!final) return c.json({ error: 'the job ended without a result (it expired or the client left)' }, 410);
    if (final.state === 'failed') return c.json({ error: final.error ?? 'failed', id: final.id }, 422);
    if (final.state === 'cancelled') return c.json({ error: 'the job was cancelled', id: final.id }, 409);
    const result = await o.queue.result(final.id);
    if (!result) return c.json({ error: 'the result has expired', id: final.id }, 410);
    return c.body(new Uint8Array(result), 200, { 'Content-Type': mediaTypeOf(result), 'X-Enhance-Job': final.id });
  });

  api.post('/jobs', limit, async (c) => {
    if ((c.req.header('content-type') ?? '').startsWith('application/json')) {
      if (!o.storage) return c.json({ error: 'this server has no --storage folder: send the picture itself, or start it with --storage <shared dir>' }, 400);
      const parsed = pathJobsSchema.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) {
        const { field, message } = optionProblem(parsed.error);
        return c.json({ error: message.replace(/^option /, 'field '), field }, 400);
      }
      const options = checkedOptions(parsed.data.options, o.catalogue);
      if (isProblem(options)) return problem(c, { ...options, field: options.field && `options.${options.field}` });
      const full = await queueFull(o.queue, o.limits);
      if (full) return problem(c, full);
      // Every pair checked before any is queued: a refused request queues nothing.
      const checked: { input: string; output: string }[] = [];
      for (const [i, entry] of parsed.data.paths.entries()) {
        const input = insideStorage(o.storage, entry.input);
        const output = insideStorage(o.storage, entry.output);
        if (!input || !output) return c.json({ error: `paths[${i}]: must be inside the storage folder`, field: `paths.${i}` }, 400);
        if (!(await stat(input).then((s) => s.isFile(), () => false))) return c.json({ error: `paths[${i}].input: ${entry.input}: no such file in the storage folder`, field: `paths.${i}.input` }, 400);
        // Links are followed to where they lead, which must be inside too.
        if (!(await realInside(o.storage, input)) || !(await realInside(o.storage, dirname(output)))) return c.json({ error: `paths[${i}]: leads outside the storage folder through a link`, field: `paths.${i}` }, 400);
        checked.push({ input, output });
      }
      const jobs: JobStatus[] = [];
      for (const { input, output } of checked) {
        const id = jobKey(await fileDigest(input), options, output);
        jobs.push((await o.queue.submit(id, { options, input: { path: input }, output: { path: output } })).status);
      }
      return c.json({ jobs: jobs.map(statusBody) }, 202);
    }
    const accepted = await acceptPicture(c, o);
    if (isProblem(accepted)) return problem(c, accepted);
    const { status, duplicate } = await submitPicture(o, accepted.picture, accepted.options);
    c.header('Location', `/v1/jobs/${status.id}`);
    return c.json({ ...statusBody(status), duplicate }, 202);
  });

  const jobId = (c: Context) => c.req.param('id') ?? '';
  const validId = (id: string) => /^[0-9a-f]{32}$/.test(id);

  api.get('/jobs/:id', async (c) => {
    const status = validId(jobId(c)) ? await o.queue.status(jobId(c)) : undefined;
    return status ? c.json(statusBody(status)) : c.json({ error: `no job '${jobId(c)}' (unknown, or its result expired)` }, 404);
  });

  api.get('/jobs/:id/result', async (c) => {
    const status = validId(jobId(c)) ? await o.queue.status(jobId(c)) : undefined;
    if (!status) return c.json({ error: `no job '${jobId(c)}' (unknown, or its result expired)` }, 404);
    if (status.state !== 'done') return c.json({ error: `job ${status.id} is ${status.state}${status.error ? `: ${status.error}` : ''}`, state: status.state }, 409);
    if (status.output) return c.json({ output: status.output });
    const result = await o.queue.result(status.id);
    if (!result) return c.json({ error: 'the result has expired' }, 410);
    return c.body(new Uint8Array(result), 200, { 'Content-Type': mediaTypeOf(result) });
  });

  api.delete('/jobs/:id', async (c) => {
    const status = validId(jobId(c)) ? await o.queue.cancel(jobId(c)) : undefined;
    return status ? c.json(statusBody(status)) : c.json({ error: `no job '${jobId(c)}'` }, 404);
  });

  api.get('/jobs/:id/events', async (c) => {
    const id = jobId(c);
    const first = validId(id) ? await o.queue.status(id) : undefined;
    if (!first) return c.json({ error: `no job '${id}'` }, 404);
    return streamSSE(c, async (stream) => {
      let last = '';
      // Writes one after another, the last awaited before the stream ends.
      let writing = Promise.resolve();
      const send = (status: JobStatus) => {
        const data = JSON.stringify(status);
        if (data === last) return writing;
        last = data;
        writing = writing.then(() => stream.writeSSE({ event: 'status', data }));
        return writing;
      };
      await send(first);
      if (isFinished(first)) return;
      const keepAlive = setInterval(() => void stream.write(': keep-alive\n\n'), 15_000);
      const abort = new AbortController();
      stream.onAbort(() => abort.abort());
      try {
        const final = await waitForJob(o.queue, id, { onChange: (s) => void send(s), signal: abort.signal });
        if (final) await send(final);
      } catch {
        // the client left
      } finally {
        clearInterval(keepAlive);
      }
    });
  });

  api.notFound((c) => c.json({ error: `not found: ${c.req.method} ${c.req.path} (see /v1/openapi.json)` }, 404));
  return api;
}

/** The media type of an encoded result, from its first bytes. */
function mediaTypeOf(bytes: Buffer): string {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.subarray(0, 3).toString('latin1') === 'GIF') return 'image/gif';
  if (bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (bytes.subarray(4, 12).toString('latin1').startsWith('ftypavi')) return 'image/avif';
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) return 'image/tiff';
  return 'application/octet-stream';
}
