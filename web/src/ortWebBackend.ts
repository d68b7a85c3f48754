import * as ort from 'onnxruntime-web/webgpu';
import type { FloatTensor, InferenceBackend, OpenInferenceBackend } from '../../src/upscale/inferenceBackend.js';

export type WebExecutionProvider = 'webgpu' | 'wasm';

/** A model's session on onnxruntime-web, in the page's worker. */
export class OrtWebBackend implements InferenceBackend {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async open(model: Uint8Array, executionProvider: WebExecutionProvider): Promise<OrtWebBackend> {
    return new OrtWebBackend(await ort.InferenceSession.create(model, { executionProviders: [executionProvider], graphOptimizationLevel: 'all' }));
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  async run(feeds: Readonly<Record<string, FloatTensor>>): Promise<FloatTensor> {
    // onnxruntime-web computes synchronously inside run(): without a turn of the event loop before each
    // run a 'cancel' message would wait until the whole picture is done.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const tensors = Object.fromEntries(Object.entries(feeds).map(([name, { data, dims }]) => [name, new ort.Tensor('float32', data, dims)]));
    const results = await this.session.run(tensors);
    const output = results[this.session.outputNames[0]];
    const data = (await output.getData()) as Float32Array;
    const dims = [...output.dims];
    for (const tensor of Object.values(results)) tensor.dispose();
    return { data, dims };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

/** How the page opens models: in this worker, on WebGPU or WebAssembly. Bytes only (a page has no files). */
export function openOrtWebBackend(executionProvider: WebExecutionProvider): OpenInferenceBackend {
  return async (model) => {
    if (typeof model === 'string') throw new Error('the page opens models from their bytes, not from a path');
    return OrtWebBackend.open(model, executionProvider);
  };
}
