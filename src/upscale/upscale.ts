import { z } from 'zod';
import { EnhanceError } from '../errors.js';
import type { OutputFormat } from '../image/formats.js';
import { readImage, type BitDepth, type DecodedImage } from '../image/readImage.js';
import type { ImageTensor } from '../image/tensor.js';
import { encodeImage, writeImage } from '../image/writeImage.js';
import { RESIZE_METHODS } from '../resize/resizeImage.js';
import { defaultModelFor, resolveModelPath } from '../models/modelFile.js';
import { interpolate } from './interpolate.js';
import { ModelRunner } from './modelUpscale.js';

export const UPSCALE_FACTORS = [2, 3, 4, 8] as const;

const upscaleOptionsSchema = z
  .object({
    /** Enlargement; default the model's scale, or 4. */
    scale: z.union(UPSCALE_FACTORS.map((s) => z.literal(s)) as [z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>, z.ZodLiteral<8>]).optional(),
    /** Classical interpolation instead of a model. */
    method: z.enum(RESIZE_METHODS).optional(),
    /** A model file or shipped model name. Default: the shipped model for the scale, if any, else bicubic. */
    model: z.string().optional(),
  })
  .strict()
  .refine((o) => !(o.method && o.model), { message: "give either 'method' or 'model', not both", path: ['method'] });

export type UpscaleOptions = z.input<typeof upscaleOptionsSchema>;

export interface OutputOptions {
  /** Default: from the file extension (toFile) or 'png' (toBuffer). */
  format?: OutputFormat;
  /** Lossy quality 1-100 for jpg, webp, avif. */
  quality?: number;
}

/** Turn a zod failure into one line naming the option, the rule and the value given. */
function describeOptionError(error: z.ZodError, given: unknown): string {
  const issue = error.issues[0];
  const key = issue.path.join('.') || '(options)';
  const value = issue.path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k as string], given);
  if (key === 'scale') return `upscale: option 'scale' must be one of ${UPSCALE_FACTORS.join(', ')} (got ${JSON.stringify(value)})`;
  if (key === 'method') return `upscale: option 'method' must be one of ${RESIZE_METHODS.join(', ')} (got ${JSON.stringify(value)})`;
  if (issue.code === 'unrecognized_keys') return `upscale: unknown option ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'custom') return `upscale: ${issue.message}`;
  return `upscale: option '${key}': ${issue.message}`;
}

/**
 * An upscale in progress, in the style of sharp: nothing runs until an output is asked for, and the
 * work is done once however many outputs are taken.
 *
 * @example
 * await upscale('photo.png', { scale: 4, method: 'lanczos' }).toFile('photo_x4.png');
 * const pixels = await upscale(buffer, { scale: 2 }).raw(); // planar float32 [C, H, W] in [0, 1]
 */
export class UpscaleJob {
  #result?: Promise<{ image: ImageTensor; bitDepth: BitDepth }>;

  constructor(
    private readonly input: string | Buffer | ImageTensor,
    private readonly options: z.output<typeof upscaleOptionsSchema>,
  ) {}

  #run(): Promise<{ image: ImageTensor; bitDepth: BitDepth }> {
    this.#result ??= (async () => {
      const decoded: DecodedImage =
        typeof this.input === 'string' || Buffer.isBuffer(this.input)
          ? await readImage(this.input)
          : { image: this.input, bitDepth: 8, format: 'raw' };
      const { scale, method, model } = this.options;
      const modelPath = method ? undefined : model ? resolveModelPath(model) : defaultModelFor(scale ?? 4);
      if (!modelPath) return { image: interpolate(decoded.image, scale ?? 4, method ?? 'bicubic', decoded.bitDepth), bitDepth: decoded.bitDepth };
      const runner = await modelRunner(modelPath);
      if (scale !== undefined && runner.spec.scale !== scale) {
        throw new EnhanceError(`is a x${runner.spec.scale} model, but scale ${scale} was asked for`, { file: model ?? modelPath });
      }
      return { image: await runner.upscale(decoded.image), bitDepth: decoded.bitDepth };
    })();
    return this.#result;
  }

  /** The upscaled pixels as a planar float32 tensor [C, H, W] in [0, 1]. */
  async raw(): Promise<ImageTensor> {
    return (await this.#run()).image;
  }

  /** Encode to a buffer; 16-bit input stays 16-bit where the format allows (PNG, TIFF). */
  async toBuffer(output: OutputOptions = {}): Promise<Buffer> {
    const { image, bitDepth } = await this.#run();
    return encodeImage(image, { format: output.format ?? 'png', bitDepth, quality: output.quality });
  }

  /** Write atomically to `path` (format from its extension unless given). */
  async toFile(path: string, output: OutputOptions = {}): Promise<void> {
    const { image, bitDepth } = await this.#run();
    await writeImage(path, image, { ...output, bitDepth });
  }
}

const runners = new Map<string, Promise<ModelRunner>>();

/** One runner per model file for the life of the process (a folder of pictures compiles the model once). */
function modelRunner(path: string): Promise<ModelRunner> {
  let runner = runners.get(path);
  if (!runner) {
    runner = ModelRunner.fromFile(path);
    runners.set(path, runner);
  }
  return runner;
}

/** Upscale a picture (a file path, an encoded image buffer, or a tensor) by 2, 3, 4 or 8. */
export function upscale(input: string | Buffer | ImageTensor, options: UpscaleOptions): UpscaleJob {
  const parsed = upscaleOptionsSchema.safeParse(options);
  if (!parsed.success) throw new EnhanceError(describeOptionError(parsed.error, options));
  return new UpscaleJob(input, parsed.data);
}
