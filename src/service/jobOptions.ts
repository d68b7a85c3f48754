import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { OUTPUT_FORMATS } from '../image/formats.js';
import { upscaleOptionsSchema } from '../upscale/upscaleOptions.js';
import { videoOptionsSchema } from '../video/videoOptions.js';

/**
 * The CLI's options that change an upscaled picture (their rules and defaults from `upscaleOptionsSchema`).
 * Tiling and threads are the worker's business, not the client's: they change the speed, never the picture.
 */
const pictureFields = upscaleOptionsSchema
  .pick({ scale: true, width: true, height: true, fit: true, tta: true, alpha: true, precision: true })
  .extend({
    // A name, never a path: a client cannot make a server read a file of its choosing.
    model: z.string().optional().describe("a model the service runs, by name (GET /v1/models); default: the shipped model that reaches the size"),
  });

/** A size given twice is refused, for pictures and videos alike. */
const oneSizeRequest = (o: { scale?: number; width?: number; height?: number }) => o.scale === undefined || (o.width === undefined && o.height === undefined);
const ONE_SIZE_REQUEST = { message: "give either 'scale' or 'width'/'height', not both", path: ['scale'] };

/** What a client of the service sets for one picture: what changes the picture, and how the result is encoded. */
export const jobOptionsSchema = pictureFields
  .extend({
    format: z.enum(OUTPUT_FORMATS, { error: `must be one of ${OUTPUT_FORMATS.join(', ')}` }).optional().describe('the result’s encoding (default: png; for a path job, its output’s extension)'),
    quality: z.number({ error: 'must be a whole number from 1 to 100' }).int().min(1).max(100).optional().describe('lossy quality for jpg, webp, avif'),
  })
  .strict()
  .refine(oneSizeRequest, ONE_SIZE_REQUEST);

/**
 * What a client sets for a video whose segments workers upscale: the picture options that change the
 * frames, and the video's own that change their encoding or the cut into segments (rules and defaults
 * from `videoOptionsSchema`). How the client runs (resume, a partial video) is not the workers' business.
 */
export const videoJobOptionsSchema = pictureFields
  .extend(videoOptionsSchema.pick({ codec: true, crf: true, preset: true, segmentSeconds: true, temporal: true, staticThreshold: true }).shape)
  .strict()
  .refine(oneSizeRequest, ONE_SIZE_REQUEST);

export type JobOptions = z.output<typeof jobOptionsSchema>;
export type VideoJobOptions = z.output<typeof videoJobOptionsSchema>;

const NUMBER_FIELDS = new Set(['scale', 'width', 'height', 'quality']);
const BOOLEAN_FIELDS = new Set(['tta']);

/**
 * Options as a query string or form fields give them (all strings) turned into the schema's types:
 * numbers stay strings when they are not numbers, so the schema's message names the field.
 */
export function optionsFromFields(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (NUMBER_FIELDS.has(key)) out[key] = value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    else if (BOOLEAN_FIELDS.has(key)) out[key] = value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
    else out[key] = value;
  }
  return out;
}

/** A zod failure as one line naming the field: "option 'scale': must be a number from 1 to 16". */
export function optionProblem(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') return { field: issue.keys[0], message: `unknown option ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
  const field = issue.path.join('.') || '(options)';
  return { field, message: `option '${field}': ${issue.message}` };
}

/** Options in one canonical order, so equal options hash equally whatever order a client sent them in. */
function canonical(options: JobOptions | VideoJobOptions): string {
  return JSON.stringify(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))));
}

/** The SHA-256 of a picture's bytes, hex. */
export function digestOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The same digest of a file, read as a stream (pictures on shared storage may be large). */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A job's id: the same picture with the same model and options (and, for a job on shared storage, the
 * same output path; for a video's segment, `<output>#<index>`) is the same job, so a retried or
 * duplicate submission is one job with one result.
 */
export function jobKey(inputDigest: string, options: JobOptions | VideoJobOptions, output?: string): string {
  return createHash('sha256').update(`${inputDigest}\0${canonical(options)}\0${output ?? ''}`).digest('hex').slice(0, 32);
}
