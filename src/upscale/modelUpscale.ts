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
import { runOnTile, traitsOf, type ModelTraits } from './modelTraits.js';

export type { ModelTraits } from './modelTraits.js';

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
  static async fromOnnx(model: Uint8Array | string, file: string, options: SessionOptions & Partial<ModelTraits> = {}): Promise<ModelRunner> {
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
    return runOnTile(rgb, height, width, this.scale, this.traits.sizeMultiple, async (input, h, w) => {
      const results = await this.session.run({ [this.session.inputNames[0]]: float32Tensor(input, [1, 3, h, w]) });
      return results.get(this.session.outputNames[0])!.data as Float32Array;
    });
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
