import { z } from 'zod';
import { EnhanceError, throwIfCancelled } from '../errors.js';
import { formatFromPath, sizeProblem, type OutputFormat } from '../image/formats.js';
import { rasterFromTensor, tensorFromRaster, type Raster } from '../image/raster.js';
import { readImage, type BitDepth, type DecodedImage } from '../image/readImage.js';
import type { ImageTensor } from '../image/tensor.js';
import { encodeRaster, writeRaster } from '../image/writeImage.js';
import { defaultModelFor, shippedScales } from '../models/modelFile.js';
import { enlargementProblem, enlargeToRaster, planEnlargement, resizeToRaster, type Enlargement } from './enlargement.js';
import { loadModelRunner } from './loadModelRunner.js';
import type { MemoryBudget } from './memoryBudget.js';
import type { ModelRunner } from './modelRunner.js';
import { bestModelScale, enlargementOf, outputSize } from './outputSize.js';
import type { TilingPlan } from './upscalePicture.js';
import { DEFAULT_SCALE, optionError, upscaleOptionsSchema } from './upscaleOptions.js';

export { UPSCALE_FACTORS } from './upscaleOptions.js';
export { MAX_OUTPUT_PIXELS } from './enlargement.js';

/** The options of `upscale()`: the user options of `upscaleOptionsSchema` (their rules and defaults live there), and the caller's hooks. */
const upscaleCallSchema = upscaleOptionsSchema
  .extend({
    /** Cancels the work; the promise then rejects with a `CancelledError`. */
    signal: z.instanceof(AbortSignal).optional(),
    /** Called after every tile the model runs. */
    onProgress: z.function().optional(),
    /** Told, once per picture, how it is cut into model runs and the memory planned for them. */
    onPlan: z.function().optional(),
    /** Told what the result will lack (the frames after the first of an animated picture); default: nothing is said. */
    onWarning: z.function().optional(),
  })
  .strict()
  .refine((o) => !(o.method && o.model), { message: "give either 'method' or 'model', not both", path: ['method'] })
  .refine((o) => o.scale === undefined || (o.width === undefined && o.height === undefined), { message: "give either 'scale' or 'width'/'height', not both", path: ['scale'] });

/**
 * `scale` or `width`/`height`/`fit`, `method`, `model`, `tile`, `tilePad`, `overlap`, `memoryBudget` (MB), `tta`, `alpha`,
 * `precision`, `threads`: see `upscaleOptionsSchema` for each one's meaning and default.
 */
export type UpscaleOptions = Omit<z.input<typeof upscaleCallSchema>, 'onProgress' | 'onWarning' | 'onPlan'> & {
  onProgress?: (done: number, total: number) => void;
  onPlan?: (plan: TilingPlan, budget: MemoryBudget) => void;
  onWarning?: (message: string) => void;
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
    private readonly options: z.output<typeof upscaleCallSchema>,
  ) {}

  get #name(): string {
    return typeof this.input === 'string' ? this.input : '<buffer>';
  }

  /**
   * The model for a picture of this size: the one named, or the shipped default that reaches the asked
   * size in the fewest passes (x3 runs the x4 model once, then shrinks). None for `method`.
   */
  async #runnerFor(width: number, height: number): Promise<ModelRunner | undefined> {
    const { method, model, threads, precision } = this.options;
    if (method) return undefined;
    let name = model;
    if (name === undefined) {
      const input = { width, height };
      const scale = bestModelScale(enlargementOf(input, outputSize(input, this.options, DEFAULT_SCALE)), shippedScales());
      name = scale === undefined ? undefined : defaultModelFor(scale);
      // Without a shipped model (a trimmed install), bicubic.
      if (name === undefined) return undefined;
    }
    return loadModelRunner(name, { threads, precision });
  }

  /**
   * The picture, its model and how it is enlarged, refused from its header when the result could not
   * be made or written in `format`: the model first, since its scale decides the result's size.
   */
  async #prepare(format: OutputFormat | undefined): Promise<{ decoded: DecodedImage; runner?: ModelRunner; enlargement: Enlargement }> {
    let runner: ModelRunner | undefined;
    let enlargement: Enlargement | undefined;
    const check = async (width: number, height: number) => {
      runner = await this.#runnerFor(width, height);
      enlargement = planEnlargement({ width, height }, this.options, runner?.scale, DEFAULT_SCALE);
      const problem = enlargementProblem(enlargement) ?? (format && sizeProblem(format, enlargement.size.width, enlargement.size.height));
      if (problem) throw new EnhanceError(problem, { file: this.#name });
    };
    if (!(typeof this.input === 'string' || Buffer.isBuffer(this.input))) {
      await check(this.input.width, this.input.height);
      return { decoded: { image: this.input, bitDepth: 8, format: 'raw', frames: 1 }, runner, enlargement: enlargement! };
    }
    const decoded = await readImage(this.input, { checkHeader: ({ width, height }) => check(width, height) });
    if (decoded.frames > 1) {
      (this.options.onWarning as ((message: string) => void) | undefined)?.(`${this.#name}: has ${decoded.frames} frames; only the first is upscaled`);
    }
    return { decoded, runner, enlargement: enlargement! };
  }

  /** The work, done once whatever outputs are asked for; `format`: the first output's, checked before work. */
  #run(format?: OutputFormat): Promise<Result> {
    this.#result ??= (async () => {
      const { decoded, runner, enlargement } = await this.#prepare(format);
      throwIfCancelled(this.options.signal);
      if (!runner) return { raster: resizeToRaster(decoded.image, enlargement, this.options.method ?? 'bicubic', decoded.bitDepth), icc: decoded.icc };
      // The picture options pass through as parsed (upscaleInto reads its own fields of the schema).
      const raster = await enlargeToRaster(decoded.image, runner, decoded.bitDepth, enlargement, {
        ...this.options,
        onProgress: this.options.onProgress as ((done: number, total: number) => void) | undefined,
        onPlan: (plan) => (this.options.onPlan as UpscaleOptions['onPlan'])?.(plan, plan.budget),
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
    const format = output.format ?? 'png';
    const { raster, icc } = await this.#writable(format);
    return encodeRaster(raster, { format, quality: output.quality, icc });
  }

  /** Write atomically to `path` (format from its extension unless given): no partial file, ever. */
  async toFile(path: string, output: OutputOptions = {}): Promise<void> {
    const { raster, icc } = await this.#writable(output.format ?? formatFromPath(path));
    await writeRaster(path, raster, { ...output, icc });
  }

  /** The result, once it is known to fit `format` (checked before the work when this is the first output). */
  async #writable(format: OutputFormat | undefined): Promise<Result> {
    const result = await this.#run(format);
    const problem = format && sizeProblem(format, result.raster.width, result.raster.height);
    if (problem) throw new EnhanceError(problem, { file: this.#name });
    return result;
  }
}

/**
 * Upscale a picture (a file path, an encoded image buffer, or a tensor) with a model or a classical
 * method. Options are checked at once; the work starts when an output is asked for.
 */
export function upscale(input: string | Buffer | ImageTensor, options: UpscaleOptions = {}): UpscaleJob {
  const parsed = upscaleCallSchema.safeParse(options);
  if (!parsed.success) throw optionError(parsed.error, options);
  return new UpscaleJob(input, parsed.data);
}
