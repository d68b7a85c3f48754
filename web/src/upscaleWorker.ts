/// <reference lib="webworker" />
/**
 * The upscale worker: reads model files and runs them with onnxruntime-web, tile by tile, with the same
 * tiling and blending code as the CLI (src/upscale), so the page's thread never computes and big
 * pictures never need a whole-picture float tensor.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { createRaster, rasterSink, tensorFromRaster } from '../../src/image/raster.js';
import { isCancelledError, isEnhanceError } from '../../src/errors.js';
import { modelSourceFromBytes, onnxOf } from '../../src/models/modelBytes.js';
import { runOnTile, traitsOf, type ModelTraits } from '../../src/upscale/modelTraits.js';
import type { TileRunner } from '../../src/upscale/tileRunner.js';
import { upscaleInto } from '../../src/upscale/upscalePicture.js';
import type { FromWorker, ToWorker } from './workerProtocol.js';

declare const self: DedicatedWorkerGlobalScope;

ort.env.wasm.wasmPaths = `${self.location.origin}/ort/`;
// Threads need SharedArrayBuffer, which cross-origin isolation (the server's COOP/COEP headers) unlocks.
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8)) : 1;

/** A model session as a TileRunner: one RGB tile in, the enlarged tile out. */
class WebTileRunner implements TileRunner {
  constructor(
    readonly session: ort.InferenceSession,
    readonly scale: number,
    readonly traits: ModelTraits,
    readonly backend: string,
  ) {}

  async run(rgb: Float32Array, height: number, width: number): Promise<Float32Array> {
    // onnxruntime-web computes synchronously inside run(): without a turn of the event loop between
    // tiles a 'cancel' message would wait until the whole picture is done.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return runOnTile(rgb, height, width, this.scale, this.traits.sizeMultiple, (input, h, w) => this.infer(input, h, w));
  }

  async infer(input: Float32Array, height: number, width: number): Promise<Float32Array> {
    const feeds = { [this.session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, height, width]) };
    const results = await this.session.run(feeds);
    const output = results[this.session.outputNames[0]];
    const data = (await output.getData()) as Float32Array;
    for (const tensor of Object.values(results)) tensor.dispose();
    return data;
  }
}

async function webGpuUsable(): Promise<boolean> {
  const gpu = (navigator as WorkerNavigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

async function loadModel(name: string, bytes: Uint8Array, preferWebGpu: boolean): Promise<WebTileRunner> {
  const source = modelSourceFromBytes(bytes, name);
  const onnx = onnxOf(source);
  const backend = preferWebGpu && (await webGpuUsable()) ? 'webgpu' : 'wasm';
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(onnx, { executionProviders: [backend], graphOptimizationLevel: 'all' });
  } catch (error) {
    throw new Error(`${name}: is not a model onnxruntime-web can run (${String(error instanceof Error ? error.message : error).split('\n')[0]})`);
  }
  const where = backend === 'webgpu' ? 'WebGPU' : `WebAssembly, ${ort.env.wasm.numThreads} thread${ort.env.wasm.numThreads === 1 ? '' : 's'}`;
  if (source.kind === 'network') {
    const traits = traitsOf(source.spec);
    return new WebTileRunner(session, source.spec.scale, { ...traits, description: source.description }, where);
  }
  // An ONNX graph we know nothing about: its scale from a probe run, as the CLI finds it.
  const probe = 16;
  const runner = new WebTileRunner(session, 1, { receptiveRadius: 16, bytesPerPixel: 0, sizeMultiple: 1, description: source.description }, where);
  const out = await runner.infer(new Float32Array(3 * probe * probe).fill(0.5), probe, probe);
  const scale = Math.sqrt(out.length / (3 * probe * probe));
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`${name}: gives ${out.length} values for a 1x3x${probe}x${probe} input: not an RGB SR model`);
  return new WebTileRunner(session, scale, runner.traits, where);
}

let current: WebTileRunner | undefined;
const jobs = new Map<number, AbortController>();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function messageOf(error: unknown): string {
  if (isEnhanceError(error)) return error.message; // already names the file
  return error instanceof Error ? error.message : String(error);
}

async function upscale(message: Extract<ToWorker, { type: 'upscale' }>): Promise<void> {
  const runner = current;
  if (!runner) throw new Error('no model is loaded');
  const controller = new AbortController();
  jobs.set(message.id, controller);
  const started = performance.now();
  try {
    const input = tensorFromRaster({ width: message.width, height: message.height, channels: 4, bitDepth: 8, data: new Uint8Array(message.rgba) });
    const output = createRaster(message.width * runner.scale, message.height * runner.scale, 4, 8);
    // 'whole' still tiles above 1024 px: one run on a bigger picture can exhaust WebAssembly's 4 GB.
    const tile = message.tile === 'whole' ? Math.min(Math.max(message.width, message.height), 1024) : message.tile;
    await upscaleInto(input, runner, rasterSink(output), {
      tile,
      overlap: 8,
      signal: controller.signal,
      onProgress: (done, total) => post({ type: 'progress', id: message.id, done, total }),
    });
    const rgba = (output.data as Uint8Array).buffer as ArrayBuffer;
    post({ type: 'done', id: message.id, width: output.width, height: output.height, rgba, seconds: (performance.now() - started) / 1000 }, [rgba]);
  } finally {
    jobs.delete(message.id);
  }
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === 'cancel') {
      jobs.get(message.id)?.abort();
    } else if (message.type === 'load') {
      const previous = current;
      current = undefined;
      await previous?.session.release();
      current = await loadModel(message.name, new Uint8Array(message.bytes), message.preferWebGpu);
      post({ type: 'loaded', id: message.id, scale: current.scale, description: current.traits.description, backend: current.backend });
    } else {
      await upscale(message);
    }
  } catch (error) {
    if (message.type === 'upscale' && isCancelledError(error)) {
      post({ type: 'cancelled', id: message.id });
    } else {
      post({ type: 'error', id: message.id, message: messageOf(error) });
    }
  }
};
