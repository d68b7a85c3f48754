import { float32Tensor } from '../graph/tensorData.js';
import { ThreadedSession } from '../runtime/engineThread.js';
import type { SessionOptions } from '../runtime/session.js';
import type { FloatTensor, InferenceBackend, OpenInferenceBackend } from './inferenceBackend.js';

/** A model's session on onnxruntime-node in a worker thread: `run` never blocks the caller's event loop. Node only. */
export class ThreadedBackend implements InferenceBackend {
  private constructor(private readonly session: ThreadedSession) {}

  static async open(model: Uint8Array | string, options: SessionOptions = {}): Promise<ThreadedBackend> {
    return new ThreadedBackend(await ThreadedSession.create(model, options));
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Readonly<Record<string, FloatTensor>>): Promise<FloatTensor> {
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, { data, dims }]) => [name, float32Tensor(data, dims)]));
    const output = (await this.session.run(tensors)).get(this.session.outputNames[0])!;
    return { data: output.data as Float32Array, dims: output.shape };
  }

  /**
   * Measured: how much the process grows while onnxruntime runs a 128x128 picture after a small one (its
   * arena keeps what a run needed), with a 1.5x margin. Foreign graphs differ too much to guess.
   */
  async measureBytesPerPixel(): Promise<number> {
    const side = 128;
    const before = process.memoryUsage().rss;
    await this.run({ [this.inputNames[0]]: { data: new Float32Array(3 * side * side).fill(0.5), dims: [1, 3, side, side] } });
    const grown = process.memoryUsage().rss - before;
    return Math.max(1024, Math.round((1.5 * grown) / (side * side)));
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** How Node opens models: each in its own worker thread, with these session options (threads, provider). */
export function openThreadedBackend(options: SessionOptions = {}): OpenInferenceBackend {
  return (model) => ThreadedBackend.open(model, options);
}
