import type { ModelSpec } from '../models/architectures.js';
import { loadModel } from '../models/modelFile.js';
import { buildNetwork } from '../models/architectures.js';
import type { StateDict } from '../nn/buildContext.js';
import { channelPlane, colorChannelCount, concatChannels, createImageTensor, hasAlphaChannel, selectChannels, type ImageTensor } from '../image/tensor.js';
import { exportForwardModel } from '../runtime/exportOnnx.js';
import { createSession, ort, type SessionOptions } from '../runtime/session.js';
import { interpolate } from './interpolate.js';

/** A network ready to run on pictures of any size. */
export class ModelRunner {
  private constructor(
    readonly spec: ModelSpec,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(spec: ModelSpec, state: StateDict, options: SessionOptions = {}): Promise<ModelRunner> {
    const model = exportForwardModel((ctx, x) => buildNetwork(spec, ctx, x), state);
    return new ModelRunner(spec, await createSession(model, options));
  }

  /** Load a model file and compile it. */
  static async fromFile(path: string, options: SessionOptions = {}): Promise<ModelRunner> {
    const { spec, state } = await loadModel(path);
    return ModelRunner.create(spec, state, options);
  }

  /** Run the network on RGB [3, H, W] values in [0, 1]; the result is clamped to [0, 1]. */
  async runRgb(rgb: ImageTensor): Promise<ImageTensor> {
    const input = new ort.Tensor('float32', rgb.data, [1, 3, rgb.height, rgb.width]);
    const output = (await this.session.run({ input })).output;
    const [, , height, width] = output.dims;
    const data = output.data as Float32Array;
    for (let i = 0; i < data.length; i++) data[i] = data[i] < 0 ? 0 : data[i] > 1 ? 1 : data[i];
    return createImageTensor(3, height, width, data);
  }

  /**
   * Upscale any picture: gray is run as RGB and averaged back to one channel, alpha is enlarged with
   * MATLAB bicubic beside the model's colour.
   */
  async upscale(image: ImageTensor): Promise<ImageTensor> {
    const gray = colorChannelCount(image) === 1;
    const rgb = gray ? selectChannels(image, [0, 0, 0]) : selectChannels(image, [0, 1, 2]);
    let color = await this.runRgb(rgb);
    if (gray) {
      const out = createImageTensor(1, color.height, color.width);
      const [r, g, b] = [0, 1, 2].map((c) => channelPlane(color, c));
      for (let i = 0; i < out.data.length; i++) out.data[i] = (r[i] + g[i] + b[i]) / 3;
      color = out;
    }
    if (!hasAlphaChannel(image)) return color;
    const alpha = interpolate(selectChannels(image, [image.channels - 1]), this.spec.scale, 'bicubic');
    return concatChannels([color, alpha]);
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
