import { z } from 'zod';
import { frameOf, type AnimatedRaster } from '../animation/animatedRaster.js';
import { readFrames } from '../animation/animatedPicture.js';
import { encodeAnimation, writeAnimation, type AnimationFormat } from '../animation/animationWriter.js';
import { EnhanceError, throwIfCancelled } from '../errors.js';
import { formatFromPath, sizeProblem, supportsAnimation, type OutputFormat } from '../image/formats.js';
import { createRaster, tensorFromRaster, type Raster } from '../image/raster.js';
import { MAX_INPUT_PIXELS, readImage, readImageHeader, type BitDepth, type DecodedImage, type ImageHeader } from '../image/readImage.js';
import type { ImageTensor } from '../image/tensor.js';
import { encodeRaster, writeRaster } from '../image/writeImage.js';
import { enlargementProblem, enlargeToRaster, MAX_OUTPUT_PIXELS, planEnlargement, resizeToRaster, type Enlargement } from './enlargement.js';
import { modelRunnerFor } from './pictureModel.js';
import type { MemoryBudget } from './memoryBudget.js';
import type { ModelRunner } from './modelRunner.js';
import type { TilingPlan } from './upscalePicture.js';
import { DEFAULT_SCALE, optionError, upscaleOptionsSchema } from './upscaleOptions.js';

export { UPSCALE_FACTORS } from './upscaleOptions.js';
export { MAX_OUTPUT_PIXELS } from './enlargement.js';

/** The options of `upscale()`: the user options of `upscaleOptionsSchema` (their rules and defaults live there), and the caller's hooks. */
const upscaleCallSchema = upscaleOptionsSchema
  .extend({
    /** Cancels the work; the promise then rejects with a `CancelledError`. */
    signal: z.instanceof(AbortSignal).optional(),
    /** Called after every tile the model runs; for an animation the count runs over the tiles of all its frames. */
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
  /** WebP: lossless instead of lossy at `quality` (default false). */
  lossless?: boolean;
}

/** Raw pixels as sharp gives them: interleaved samples and their layout. */
export interface RawOutput {
  data: Uint8Array | Uint16Array;
  info: { width: number; height: number; channels: number; depth: BitDepth };
}

interface Result {
  /** The picture, or an animation's first frame. */
  raster: Raster;
  icc?: Buffer;
  /** Every frame, when an animated input is written in a format that animates. */
  animation?: AnimatedRaster;
}

type Hooks = Pick<UpscaleOptions, 'onProgress' | 'onPlan'>;

/** libvips' largest image side (VIPS_MAX_COORD): an animation's frames are stacked into one such image. */
const MAX_STRIP_HEIGHT = 10_000_000;

const megapixels = (pixels: number) => `${Math.round(pixels / 1e6)} Mpx`;

/** Why an animation cannot be read or made, from its header and the enlargement of one frame; undefined when it can. */
function animationProblem(header: ImageHeader, e: Enlargement): string | undefined {
  const { frames } = header;
  const inputPixels = frames * header.width * header.height;
  if (inputPixels > MAX_INPUT_PIXELS) return `has ${frames} frames of ${header.width}x${header.height} (${megapixels(inputPixels)} in all), more than enhance reads (${megapixels(MAX_INPUT_PIXELS)})`;
  const { width, height } = e.size;
  const outputPixels = frames * width * height;
  if (outputPixels > MAX_OUTPUT_PIXELS) return `would become ${frames} frames of ${width}x${height} (${megapixels(outputPixels)} in all), more than enhance makes (${megapixels(MAX_OUTPUT_PIXELS)}); ask for a smaller size`;
  if (frames * height > MAX_STRIP_HEIGHT) return `would become ${frames} frames of ${height} rows, more rows than libvips writes (${MAX_STRIP_HEIGHT}); ask for a smaller size`;
  return undefined;
}

/**
 * An upscale in progress, in the style of sharp: nothing runs until an output is asked for, and the
 * work is done once however many outputs are taken.
 *
 * An animated GIF, WebP or APNG written as gif, webp or png (APNG) has every frame upscaled, with its
 * delays and loop count; written in a format that cannot animate (jpg, tiff, avif), and through
 * `raw()` and `tensor()`, it is its first frame (`onWarning` says so when only that frame was made).
 *
 * @example
 * await upscale('photo.png').toFile('photo_x4.png');                          // default x4 model
 * await upscale('photo.jpg', { scale: 2, method: 'lanczos' }).toFile('photo_x2.webp');
 * await upscale('anim.gif').toFile('anim_x4.gif');                            // every frame, same timing
 * const png = await upscale(buffer, { model: 'RealESRGAN_x4plus.pth', tile: 256 }).toBuffer();
 * const { data, info } = await upscale('icon.png', { tta: true }).raw();    // interleaved, like sharp
 */
export class UpscaleJob {
  /** The still picture, or an animation's first frame. */
  #still?: Promise<Result>;
  /** Every frame, for outputs that animate; undefined when the input has one frame. */
  #animated?: Promise<Result | undefined>;

  constructor(
    private readonly input: string | Buffer | ImageTensor,
    private readonly options: z.output<typeof upscaleCallSchema>,
  ) {}

  get #name(): string {
    return typeof this.input === 'string' ? this.input : '<buffer>';
  }

  /**
   * The model and the enlargement for a picture of this size, refused when the result could not be
   * made or written in `format`: the model first, since its scale decides the result's size.
   */
  async #plan(width: number, height: number, format: OutputFormat | undefined): Promise<{ runner?: ModelRunner; enlargement: Enlargement }> {
    const runner = await modelRunnerFor({ width, height }, this.options);
    const enlargement = planEnlargement({ width, height }, this.options, runner?.scale, DEFAULT_SCALE);
    const problem = enlargementProblem(enlargement) ?? (format && sizeProblem(format, enlargement.size.width, enlargement.size.height));
    if (problem) throw new EnhanceError(problem, { file: this.#name });
    return { runner, enlargement };
  }

  /** The picture, its model and how it is enlarged, refused from its header before its pixels are decoded. */
  async #prepare(format: OutputFormat | undefined): Promise<{ decoded: DecodedImage; runner?: ModelRunner; enlargement: Enlargement }> {
    if (!(typeof this.input === 'string' || Buffer.isBuffer(this.input))) {
      const plan = await this.#plan(this.input.width, this.input.height, format);
      return { decoded: { image: this.input, bitDepth: 8, format: 'raw', frames: 1 }, ...plan };
    }
    let plan: { runner?: ModelRunner; enlargement: Enlargement } | undefined;
    const decoded = await readImage(this.input, { checkHeader: async ({ width, height }) => void (plan = await this.#plan(width, height, format)) });
    if (decoded.frames > 1) {
      (this.options.onWarning as UpscaleOptions['onWarning'])?.(`${this.#name}: has ${decoded.frames} frames; only the first is upscaled`);
    }
    return { decoded, ...plan! };
  }

  /** One picture through the model (or the classical method) to the planned size. */
  async #enlarge(image: ImageTensor, bitDepth: BitDepth, runner: ModelRunner | undefined, enlargement: Enlargement, hooks: Hooks): Promise<Raster> {
    throwIfCancelled(this.options.signal);
    if (!runner) return resizeToRaster(image, enlargement, this.options.method ?? 'bicubic', bitDepth);
    // The picture options pass through as parsed (upscaleInto reads its own fields of the schema).
    return enlargeToRaster(image, runner, bitDepth, enlargement, {
      ...this.options,
      onProgress: hooks.onProgress,
      onPlan: hooks.onPlan && ((plan) => hooks.onPlan!(plan, plan.budget)),
    });
  }

  /** The still picture made from its first frame. */
  async #makeStill(format: OutputFormat | undefined): Promise<Result> {
    const { decoded, runner, enlargement } = await this.#prepare(format);
    const raster = await this.#enlarge(decoded.image, decoded.bitDepth, runner, enlargement, this.options as Hooks);
    return { raster, icc: decoded.icc };
  }

  /** The still result: the picture, or the first frame of an animation (taken from the animation when that is being made). */
  #runStill(format?: OutputFormat): Promise<Result> {
    const animated = this.#animated;
    this.#still ??= animated ? animated.then((result) => (result ? { raster: result.raster, icc: result.icc } : this.#makeStill(format))) : this.#makeStill(format);
    return this.#still;
  }

  /** The work, done once whatever outputs are asked for; `format`: the first output's, checked before work. */
  async #run(format?: OutputFormat): Promise<Result> {
    if (!format || !supportsAnimation(format) || !(typeof this.input === 'string' || Buffer.isBuffer(this.input))) return this.#runStill(format);
    const input = this.input;
    // After a still output (raw(), a jpg) of an animation, its first frame is made again with the others.
    this.#animated ??= readImageHeader(input).then(({ header }) => (header.frames > 1 ? this.#runAnimation(input, header, format) : undefined));
    return (await this.#animated) ?? this.#runStill(format);
  }

  /**
   * Every frame upscaled alike, one at a time, into one strip of frames: the header is checked first
   * (every frame's size, and all frames together), then frames are decoded a group at a time.
   */
  async #runAnimation(input: string | Buffer, header: ImageHeader, format: OutputFormat): Promise<Result> {
    const { runner, enlargement } = await this.#plan(header.width, header.height, format);
    const problem = animationProblem(header, enlargement);
    if (problem) throw new EnhanceError(problem, { file: this.#name });
    const { frames } = header;
    const { onProgress, onPlan } = this.options as Hooks;
    let strip: Raster | undefined;
    let index = 0;
    for await (const image of readFrames(input, header, this.#name)) {
      const k = index;
      // Every frame has the same size, so the same tiles: frame k's tiles come after k frames' worth.
      const hooks: Hooks = { onProgress: onProgress && ((done, total) => onProgress(k * total + done, frames * total)), onPlan: k === 0 ? onPlan : undefined };
      const raster = await this.#enlarge(image, 8, runner, enlargement, hooks);
      strip ??= createRaster(raster.width, raster.height * frames, raster.channels, raster.bitDepth);
      if (raster.data.length * frames !== strip.data.length) throw new EnhanceError(`cannot decode: frame ${k + 1} has other channels than the first`, { file: this.#name });
      strip.data.set(raster.data, k * raster.data.length);
      index++;
    }
    if (!strip || index !== frames) throw new EnhanceError(`cannot decode: the header says ${frames} frames, the file holds ${index}`, { file: this.#name });
    const timing = header.timing ?? { delays: Array(frames).fill(100), loop: 0 };
    const animation: AnimatedRaster = { strip, frameHeight: strip.height / frames, timing };
    return { raster: frameOf(animation, 0), animation };
  }

  /** Interleaved 8-bit (16-bit for 16-bit input) samples, as sharp's `.raw().toBuffer({ resolveWithObject })`; an animation's first frame. */
  async raw(): Promise<RawOutput> {
    const { raster } = await this.#run();
    return { data: raster.data, info: { width: raster.width, height: raster.height, channels: raster.channels, depth: raster.bitDepth } };
  }

  /** The result as a planar float32 tensor [C, H, W] in [0, 1]; an animation's first frame. */
  async tensor(): Promise<ImageTensor> {
    return tensorFromRaster((await this.#run()).raster);
  }

  /** Encode to a buffer; 16-bit input stays 16-bit where the format allows (PNG, TIFF); ICC profile kept; animations stay animated in gif, webp, png. */
  async toBuffer(output: OutputOptions = {}): Promise<Buffer> {
    const format = output.format ?? 'png';
    const { raster, icc, animation } = await this.#writable(format);
    const options = { quality: output.quality, lossless: output.lossless, icc };
    if (animation) return encodeAnimation(animation, { ...options, format: format as AnimationFormat });
    return encodeRaster(raster, { ...options, format });
  }

  /** Write atomically to `path` (format from its extension unless given): no partial file, ever. */
  async toFile(path: string, output: OutputOptions = {}): Promise<void> {
    const format = output.format ?? formatFromPath(path);
    const { raster, icc, animation } = await this.#writable(format);
    if (animation && format) return writeAnimation(path, animation, { quality: output.quality, lossless: output.lossless, icc, format: format as AnimationFormat });
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
