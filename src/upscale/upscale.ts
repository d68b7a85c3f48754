import { z } from 'zod';
import { EnhanceError } from '../errors.js';
import type { OutputFormat } from '../image/formats.js';
import { rasterFromTensor, tensorFromRaster, type Raster } from '../image/raster.js';
import { readImage, type BitDepth, type DecodedImage } from '../image/readImage.js';
import type { ImageTensor } from '../image/tensor.js';
import { encodeRaster, writeRaster } from '../image/writeImage.js';
import { defaultModelFor } from '../models/modelFile.js';
import { RESIZE_METHODS } from '../resize/resizeImage.js';
import { interpolate } from './interpolate.js';
import { loadModelRunner } from './loadModelRunner.js';
import { upscaleToRaster } from './upscalePicture.js';

export const UPSCALE_FACTORS = [2, 3, 4, 8] as const;

const upscaleOptionsSchema = z
  .object({
    /** Enlargement; default the model's scale, or 4. */
    scale: z.union(UPSCALE_FACTORS.map((s) => z.literal(s)) as [z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>, z.ZodLiteral<8>]).optional(),
    /** Classical interpolation instead of a model. */
    method: z.enum(RESIZE_METHODS).optional(),
    /**
     * A shipped model's name, or a model file: enhance .safetensors, PyTorch .pth, ONNX .onnx, ncnn .param,
     * TF.js model.json. Default: the shipped model for the scale, if any, else bicubic.
     */
    model: z.string().optional(),
    /** Tile size in input pixels, or 'auto' (from `memoryBudget`). */
    tile: z.union([z.literal('auto'), z.number().int().min(16)]).optional(),
    /** Context around each tile, input pixels (default: enough for the model, at most 32). */
    tilePad: z.number().int().min(0).optional(),
    /** Input pixels neighbouring tiles blend across (default 8). */
    overlap: z.number().int().min(0).optional(),
    /** Working memory of the tiles, MB, for 'auto' tiles (default 768). */
    memoryBudget: z.number().positive().optional(),
    /** Average the model over the 8 flips/rotations (8x slower, slightly better). */
    tta: z.boolean().optional(),
    /** Alpha by the model (default) or by bicubic. */
    alpha: z.enum(['model', 'bicubic']).optional(),
    /** Threads of the model's runtime (default: all cores). */
    threads: z.number().int().positive().optional(),
    /** Cancels the work; the promise then rejects with 'cancelled'. */
    signal: z.instanceof(AbortSignal).optional(),
    /** Called after every tile the model runs. */
    onProgress: z.function().optional(),
  })
  .strict()
  .refine((o) => !(o.method && o.model), { message: "give either 'method' or 'model', not both", path: ['method'] });

export type UpscaleOptions = Omit<z.input<typeof upscaleOptionsSchema>, 'onProgress'> & {
  onProgress?: (done: number, total: number) => void;
};

export interface OutputOptions {
  /** Default: from the file extension (toFile) or 'png' (toBuffer). */
  format?: OutputFormat;
  /** Lossy quality 1-100 for jpg, webp, avif. */
  quality?: number;
}

/** Raw pixels as sharp gives them: interleaved samples and their layout. */
export interface RawOutput {
  data: Uint8Array | Uint16Array;
  info: { width: number; height: number; channels: number; depth: BitDepth };
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
  return `upscale: option '${key}': ${issue.message} (got ${JSON.stringify(value)})`;
}

interface Result {
  raster: Raster;
  icc?: Buffer;
}

/**
 * An upscale in progress, in the style of sharp: nothing runs until an output is asked for, and the
 * work is done once however many outputs are taken.
 *
 * @example
 * await upscale('photo.png').toFile('photo_x4.png');                          // default x4 model
 * await upscale('photo.jpg', { scale: 2, method: 'lanczos' }).toFile('photo_x2.webp');
 * const png = await upscale(buffer, { model: 'RealESRGAN_x4plus.pth', tile: 256 }).toBuffer();
 * const { data, info } = await upscale('icon.png', { tta: true }).raw();    // interleaved, like sharp
 */
export class UpscaleJob {
  #result?: Promise<Result>;

  constructor(
    private readonly input: string | Buffer | ImageTensor,
    private readonly options: z.output<typeof upscaleOptionsSchema>,
  ) {}

  #run(): Promise<Result> {
    this.#result ??= (async () => {
      const decoded: DecodedImage =
        typeof this.input === 'string' || Buffer.isBuffer(this.input) ? await readImage(this.input) : { image: this.input, bitDepth: 8, format: 'raw' };
      const { scale, method, model, signal } = this.options;
      if (signal?.aborted) throw new EnhanceError('cancelled');
      const modelName = method ? undefined : model ?? (defaultModelFor(scale ?? 4) ? 'default' : undefined);
      const runner = modelName === undefined ? undefined : await loadModelRunner(modelName, { scale, threads: this.options.threads });
      if (!runner) {
        const image = interpolate(decoded.image, scale ?? 4, method ?? 'bicubic', decoded.bitDepth);
        return { raster: rasterFromTensor(image, decoded.bitDepth), icc: decoded.icc };
      }
      const raster = await upscaleToRaster(decoded.image, runner, decoded.bitDepth, {
        tile: this.options.tile,
        tilePad: this.options.tilePad,
        overlap: this.options.overlap,
        memoryBudget: this.options.memoryBudget,
        tta: this.options.tta,
        alpha: this.options.alpha,
        signal,
        onProgress: this.options.onProgress as ((done: number, total: number) => void) | undefined,
      });
      return { raster, icc: decoded.icc };
    })();
    return this.#result;
  }

  /** Interleaved 8-bit (16-bit for 16-bit input) samples, as sharp's `.raw().toBuffer({ resolveWithObject })`. */
  async raw(): Promise<RawOutput> {
    const { raster } = await this.#run();
    return { data: raster.data, info: { width: raster.width, height: raster.height, channels: raster.channels, depth: raster.bitDepth } };
  }

  /** The result as a planar float32 tensor [C, H, W] in [0, 1]. */
  async tensor(): Promise<ImageTensor> {
    return tensorFromRaster((await this.#run()).raster);
  }

  /** Encode to a buffer; 16-bit input stays 16-bit where the format allows (PNG, TIFF); ICC profile kept. */
  async toBuffer(output: OutputOptions = {}): Promise<Buffer> {
    const { raster, icc } = await this.#run();
    return encodeRaster(raster, { format: output.format ?? 'png', quality: output.quality, icc });
  }

  /** Write atomically to `path` (format from its extension unless given): no partial file, ever. */
  async toFile(path: string, output: OutputOptions = {}): Promise<void> {
    const { raster, icc } = await this.#run();
    await writeRaster(path, raster, { ...output, icc });
  }
}

/**
 * Upscale a picture (a file path, an encoded image buffer, or a tensor) with a model or a classical
 * method. Options are checked at once; the work starts when an output is asked for.
 */
export function upscale(input: string | Buffer | ImageTensor, options: UpscaleOptions = {}): UpscaleJob {
  const parsed = upscaleOptionsSchema.safeParse(options);
  if (!parsed.success) throw new EnhanceError(describeOptionError(parsed.error, options));
  return new UpscaleJob(input, parsed.data);
}
