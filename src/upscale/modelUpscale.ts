import { EnhanceError } from '../errors.js';
import { float32Tensor } from '../graph/tensorData.js';
import { buildNetwork, type ModelSpec } from '../models/architectures.js';
import type { StateDict } from '../nn/buildContext.js';
import type { ImageTensor } from '../image/tensor.js';
import { ThreadedSession } from '../runtime/engineThread.js';
import { exportForwardModel } from '../runtime/exportOnnx.js';
import type { SessionOptions } from '../runtime/session.js';
import { upscaleToTensor, type PictureOptions } from './upscalePicture.js';
import type { TileRunner } from './tileRunner.js';

/** What tiling needs to know about a model beyond its scale. */
export interface ModelTraits {
  /** Input pixels on each side that influence an output pixel (exact tiles need this much context). */
  receptiveRadius: number;
  /** Estimated working memory of one run per input pixel, in bytes (sizes tiles from a budget). */
  bytesPerPixel: number;
  /** Input height and width must be multiples of this (pixel-unshuffling models); others are padded. */
  sizeMultiple: number;
  /** One line for humans, e.g. "srvgg-compact x4 (features 48, convs 10)". */
  description: string;
}

/** Receptive radius and memory of our own networks, from their layouts (mostly 3x3 convs at low resolution). */
function traitsOf(spec: ModelSpec): ModelTraits {
  const o = spec.options as Record<string, number>;
  const s2 = spec.scale * spec.scale;
  const description = `${spec.arch} x${spec.scale} (${Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || 'defaults'})`;
  const hrFeatures = (features: number) => 3 * features * s2; // nearest/PixelShuffle stages at output size
  switch (spec.arch) {
    case 'srvgg-compact':
      return { receptiveRadius: (o.convs ?? 10) + 2, bytesPerPixel: 4 * (4 * (o.features ?? 48) + 6 * s2), sizeMultiple: 1, description };
    case 'rrdbnet': {
      const nf = o.features ?? 64;
      const unshuffle = Math.max(1, 2 ** (o.upsamplings ?? 2) / spec.scale);
      return {
        receptiveRadius: (15 * (o.blocks ?? 23) + 4) * unshuffle,
        // Measured: ~24 KB per input pixel at x4 (the 64-feature convs at 4x and 16x the input's area dominate).
        bytesPerPixel: 4 * (4 * (nf + 4 * (o.growth ?? 32)) + (5 / 3) * hrFeatures(nf) + 6 * s2),
        sizeMultiple: unshuffle,
        description,
      };
    }
    case 'edsr':
    case 'msrresnet':
    case 'srresnet':
      return { receptiveRadius: 2 * (o.blocks ?? 16) + 6, bytesPerPixel: 4 * (4 * (o.features ?? 64) + hrFeatures(o.features ?? 64)), sizeMultiple: 1, description };
    default:
      // SRCNN, the auto-encoder and the U-Net: a few convs, up to 64 features, some at output size.
      return { receptiveRadius: 32, bytesPerPixel: 4 * (4 * 256 + hrFeatures(64)), sizeMultiple: 1, description };
  }
}

/**
 * Working memory per input pixel of a model we know nothing about, measured: how much the process grows
 * while onnxruntime runs a 128x128 picture after a tiny one (its arena keeps what a run needed), with
 * a 1.5x margin. Sizes 'auto' tiles for imported models (their graphs differ too much to guess).
 */
async function measureBytesPerPixel(session: ThreadedSession): Promise<number> {
  const side = 128;
  const before = process.memoryUsage().rss;
  await session.run({ [session.inputNames[0]]: float32Tensor(new Float32Array(3 * side * side).fill(0.5), [1, 3, side, side]) });
  const grown = process.memoryUsage().rss - before;
  return Math.max(1024, Math.round((1.5 * grown) / (side * side)));
}

/** Planar [3, h, w] pixels extended to [3, h2, w2] by repeating the last row and column. */
function padEdges(rgb: Float32Array, height: number, width: number, paddedHeight: number, paddedWidth: number): Float32Array {
  const out = new Float32Array(3 * paddedHeight * paddedWidth);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < paddedHeight; y++) {
      const from = (c * height + Math.min(y, height - 1)) * width;
      const to = (c * paddedHeight + y) * paddedWidth;
      out.set(rgb.subarray(from, from + width), to);
      out.fill(rgb[from + width - 1], to + width, to + paddedWidth);
    }
  }
  return out;
}

/** The top-left [3, h, w] of planar [3, h2, w2] pixels. */
function cropTopLeft(data: Float32Array, paddedHeight: number, paddedWidth: number, height: number, width: number): Float32Array {
  const out = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) out.set(data.subarray((c * paddedHeight + y) * paddedWidth, (c * paddedHeight + y) * paddedWidth + width), (c * height + y) * width);
  }
  return out;
}

/**
 * A model ready to enlarge pictures of any size: an ONNX session in a worker thread (the caller's event
 * loop stays free), run tile by tile.
 */
export class ModelRunner implements TileRunner {
  private constructor(
    private readonly session: ThreadedSession,
    readonly scale: number,
    readonly traits: ModelTraits,
    /** The architecture, when the model is one of our networks. */
    readonly spec?: ModelSpec,
  ) {}

  /** Compile one of our networks with the given weights. */
  static async create(spec: ModelSpec, state: StateDict, options: SessionOptions & { description?: string } = {}): Promise<ModelRunner> {
    const { description, ...sessionOptions } = options;
    const model = exportForwardModel((ctx, x) => buildNetwork(spec, ctx, x), state);
    const traits = traitsOf(spec);
    return new ModelRunner(await ThreadedSession.create(model, sessionOptions), spec.scale, { ...traits, description: description ?? traits.description }, spec);
  }

  /**
   * Run an ONNX SR model as it is: one float32 NCHW RGB input in [0, 1], one output. The scale is found
   * by a probe run on a small picture.
   */
  static async fromOnnx(model: Uint8Array, file: string, options: SessionOptions & Partial<ModelTraits> = {}): Promise<ModelRunner> {
    let session: ThreadedSession;
    try {
      session = await ThreadedSession.create(model, options);
    } catch (error) {
      throw new EnhanceError(`is not a valid ONNX model (${(error instanceof Error ? error.message : String(error)).split('\n')[0]})`, { file, cause: error });
    }
    if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
      await session.release();
      throw new EnhanceError(`has ${session.inputNames.length} inputs: an SR model takes one picture`, { file });
    }
    const probe = 16;
    let outputShape: readonly number[];
    try {
      const results = await session.run({ [session.inputNames[0]]: float32Tensor(new Float32Array(3 * probe * probe).fill(0.5), [1, 3, probe, probe]) });
      outputShape = results.get(session.outputNames[0])!.shape;
    } catch (error) {
      await session.release();
      throw new EnhanceError(
        `does not run on a 1x3x${probe}x${probe} float32 picture (${(error instanceof Error ? error.message : String(error)).split('\n')[0]}); ` +
          'an SR model must take NCHW RGB of any size',
        { file, cause: error },
      );
    }
    const [batch, channels, height, width] = outputShape;
    const scale = height / probe;
    if (outputShape.length !== 4 || batch !== 1 || channels !== 3 || width !== height || !Number.isInteger(scale) || scale < 1) {
      await session.release();
      throw new EnhanceError(`gives an output of shape [${outputShape.join(', ')}] for a 1x3x${probe}x${probe} input: not an RGB SR model`, { file });
    }
    const traits: ModelTraits = {
      receptiveRadius: options.receptiveRadius ?? 16,
      sizeMultiple: options.sizeMultiple ?? 1,
      bytesPerPixel: options.bytesPerPixel ?? (await measureBytesPerPixel(session)),
      description: options.description ?? `ONNX model x${scale}`,
    };
    return new ModelRunner(session, scale, traits);
  }

  /** Run the network on one RGB tile (planar [3, h, w] in [0, 1]); the result is clamped to [0, 1]. */
  async run(rgb: Float32Array, height: number, width: number): Promise<Float32Array> {
    const m = this.traits.sizeMultiple;
    const [paddedHeight, paddedWidth] = [Math.ceil(height / m) * m, Math.ceil(width / m) * m];
    const input = paddedHeight === height && paddedWidth === width ? rgb : padEdges(rgb, height, width, paddedHeight, paddedWidth);
    const results = await this.session.run({ [this.session.inputNames[0]]: float32Tensor(input, [1, 3, paddedHeight, paddedWidth]) });
    let data = results.get(this.session.outputNames[0])!.data as Float32Array;
    if (input !== rgb) data = cropTopLeft(data, paddedHeight * this.scale, paddedWidth * this.scale, height * this.scale, width * this.scale);
    for (let i = 0; i < data.length; i++) data[i] = data[i] < 0 ? 0 : data[i] > 1 ? 1 : data[i];
    return data;
  }

  /**
   * Enlarge a picture (gray, gray+alpha, RGB, RGBA) into a float tensor: for evaluation and validation.
   * Files go through `upscaleToRaster`, which needs a sixteenth of the memory.
   */
  upscale(image: ImageTensor, options: Partial<PictureOptions> = {}): Promise<ImageTensor> {
    return upscaleToTensor(image, this, options);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
