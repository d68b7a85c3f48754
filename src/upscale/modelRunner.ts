import { EnhanceError } from '../errors.js';
import type { ImageTensor } from '../image/tensor.js';
import { buildNetwork, type ModelSpec } from '../architectures/registry.js';
import type { StateDict } from '../nn/buildContext.js';
import { exportForwardModel } from '../runtime/exportOnnx.js';
import type { InferenceBackend, OpenInferenceBackend } from './inferenceBackend.js';
import { traitsOf } from '../architectures/registry.js';
import { runOnTile, type ModelTraits } from './modelTraits.js';
import { perShapeBackend } from './perShapeBackend.js';
import type { TileRunner } from './tileRunner.js';
import { UNKNOWN_BYTES_PER_PIXEL, upscaleToTensor, type PictureOptions } from './upscalePicture.js';

export type { ModelTraits } from './modelTraits.js';

/** The side of the picture a foreign model is probed with: small enough to be quick on any runtime. */
const PROBE_SIDE = 16;

/** The first line of an error's message, for one-line refusals. */
function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/**
 * Planar RGB as a model of `channels` takes it: RGB as it is; gray as BT.601 luma (a gray picture's
 * three equal channels give its gray back exactly); RGBA with an opaque alpha (the alpha channel of a
 * picture is enlarged on its own, as for RGB models).
 */
function toModelChannels(rgb: Float32Array, channels: number): Float32Array {
  if (channels === 3) return rgb;
  const n = rgb.length / 3;
  if (channels === 1) {
    const gray = new Float32Array(n);
    for (let i = 0; i < n; i++) gray[i] = 0.299 * rgb[i] + 0.587 * rgb[n + i] + 0.114 * rgb[2 * n + i];
    return gray;
  }
  const rgba = new Float32Array(4 * n);
  rgba.set(rgb);
  rgba.fill(1, 3 * n);
  return rgba;
}

/** A model's output as planar RGB: gray repeated, RGBA's colour planes. */
function fromModelChannels(data: Float32Array, channels: number): Float32Array {
  if (channels === 3) return data;
  const n = data.length / channels;
  if (channels === 4) return data.subarray(0, 3 * n);
  const rgb = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) rgb.set(data, c * n);
  return rgb;
}

/**
 * A model ready to enlarge pictures of any size, tile by tile, on any runtime that gives an
 * `InferenceBackend` (onnxruntime-node in a worker thread, onnxruntime-web in the page's worker): the
 * session call, the scale probe and the output checks are written once, here.
 */
export class ModelRunner implements TileRunner {
  private constructor(
    private readonly backend: InferenceBackend,
    readonly scale: number,
    readonly traits: ModelTraits,
    /** The architecture, when the model is one of our networks. */
    readonly spec?: ModelSpec,
  ) {}

  /** One of our networks with its weights, exported to ONNX and opened by `open`; scale and traits from the spec. */
  static async create(open: OpenInferenceBackend, spec: ModelSpec, state: StateDict, description?: string): Promise<ModelRunner> {
    const traits = traitsOf(spec);
    const channels = traits.channels ?? 3;
    const model = (dims?: [number, number, number]) => exportForwardModel((ctx, x) => buildNetwork(spec, ctx, x), state, { channels, ...(dims ? { dims } : {}) });
    // Window-attention networks: a graph per padded tile shape, made when a tile of that shape comes.
    const backend = traits.perShapeGraph ? perShapeBackend(open, (h, w) => model([1, h, w])) : await open(model());
    return new ModelRunner(backend, spec.scale, { ...traits, description: description ?? traits.description }, spec);
  }

  /**
   * An ONNX SR model run as it is: one float32 NCHW RGB input in [0, 1], one output. Its scale comes from
   * a probe run on a 16x16 picture; a model that does not behave like an SR model is refused in one
   * line naming `file`, and its session released.
   */
  static async fromOnnx(open: OpenInferenceBackend, model: Uint8Array | string, file: string, known: Partial<ModelTraits> = {}): Promise<ModelRunner> {
    let backend: InferenceBackend;
    try {
      backend = await open(model);
    } catch (error) {
      throw new EnhanceError(`is not a valid ONNX model (${firstLine(error)})`, { file, cause: error });
    }
    try {
      const scale = await ModelRunner.probeScale(backend, file);
      const traits: ModelTraits = {
        receptiveRadius: known.receptiveRadius ?? 16,
        sizeMultiple: known.sizeMultiple ?? 1,
        minimumSize: known.minimumSize ?? 1,
        bytesPerPixel: known.bytesPerPixel ?? (await backend.measureBytesPerPixel?.()) ?? UNKNOWN_BYTES_PER_PIXEL,
        description: known.description ?? `ONNX model x${scale}`,
      };
      return new ModelRunner(backend, scale, traits);
    } catch (error) {
      await backend.release();
      throw error;
    }
  }

  /** The enlargement of a foreign model, from its output for a gray 1x3x16x16 picture. */
  private static async probeScale(backend: InferenceBackend, file: string): Promise<number> {
    if (backend.inputNames.length !== 1 || backend.outputNames.length < 1) {
      throw new EnhanceError(`has ${backend.inputNames.length} inputs: an SR model takes one picture`, { file });
    }
    const side = PROBE_SIDE;
    let dims: readonly number[];
    try {
      ({ dims } = await backend.run({ [backend.inputNames[0]]: { data: new Float32Array(3 * side * side).fill(0.5), dims: [1, 3, side, side] } }));
    } catch (error) {
      throw new EnhanceError(`does not run on a 1x3x${side}x${side} float32 picture (${firstLine(error)}); an SR model must take NCHW RGB of any size`, { file, cause: error });
    }
    const [batch, channels, height, width] = dims;
    const scale = height / side;
    if (dims.length !== 4 || batch !== 1 || channels !== 3 || width !== height || !Number.isInteger(scale) || scale < 1) {
      throw new EnhanceError(`gives an output of shape [${dims.join(', ')}] for a 1x3x${side}x${side} input: not an RGB SR model`, { file });
    }
    return scale;
  }

  /** Run the network on one RGB tile (planar [3, h, w] in [0, 1]); the result is clamped to [0, 1]. */
  run(rgb: Float32Array, height: number, width: number): Promise<Float32Array> {
    const channels = this.traits.channels ?? 3;
    return runOnTile(rgb, height, width, this.scale, this.traits, async (input, h, w) => {
      const output = await this.backend.run({ [this.backend.inputNames[0]]: { data: toModelChannels(input, channels), dims: [1, channels, h, w] } });
      const expected = [1, channels, h * this.scale, w * this.scale];
      // A graph whose scale depends on the input's size would otherwise be blended as garbage.
      if (output.dims.join() !== expected.join()) {
        throw new EnhanceError(`${this.traits.description}: gave [${output.dims.join(', ')}] for a [1, 3, ${h}, ${w}] tile, not [${expected.join(', ')}]`);
      }
      return fromModelChannels(output.data, channels);
    });
  }

  /**
   * Enlarge a picture (gray, gray+alpha, RGB, RGBA) into a float tensor: for evaluation and validation.
   * Files go through `upscaleToRaster`, which needs a sixteenth of the memory.
   */
  upscale(image: ImageTensor, options: PictureOptions = {}): Promise<ImageTensor> {
    return upscaleToTensor(image, this, options);
  }

  release(): Promise<void> {
    return this.backend.release();
  }
}
