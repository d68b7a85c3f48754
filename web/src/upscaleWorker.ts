/// <reference lib="webworker" />
/**
 * The upscale worker: reads model files and runs them with onnxruntime-web, tile by tile, with the same
 * runner, tiling and blending code as the CLI (`ModelRunner` over `OrtWebBackend`, `upscaleInto` with
 * the options' schema defaults), so the page's thread never computes and big pictures never need a
 * whole-picture float tensor.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { createRaster, rasterSink, tensorFromRaster } from '../../src/image/raster.js';
import { isCancelledError, isEnhanceError } from '../../src/errors.js';
import { modelSourceFromBytes } from '../../src/models/modelBytes.js';
import { enlargementProblem, enlargeToRaster, planEnlargement } from '../../src/upscale/enlargement.js';
import { ModelRunner } from '../../src/upscale/modelRunner.js';
import type { SizeRequest } from '../../src/upscale/outputSize.js';
import { upscaleOptionsSchema } from '../../src/upscale/upscaleOptions.js';
import { upscaleInto } from '../../src/upscale/upscalePicture.js';
import { openOrtWebBackend, type WebExecutionProvider } from './ortWebBackend.js';
import type { FromWorker, ToWorker } from './workerProtocol.js';

declare const self: DedicatedWorkerGlobalScope;

ort.env.wasm.wasmPaths = `${self.location.origin}/ort/`;
// Threads need SharedArrayBuffer, which cross-origin isolation (the server's COOP/COEP headers) unlocks.
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8)) : 1;

async function webGpuUsable(): Promise<boolean> {
  const gpu = (navigator as WorkerNavigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** The current model, and where it runs in words ("WebAssembly, 4 threads"). */
interface LoadedModel {
  runner: ModelRunner;
  where: string;
}

async function loadModel(name: string, bytes: Uint8Array, preferWebGpu: boolean): Promise<LoadedModel> {
  const source = modelSourceFromBytes(bytes, name);
  const provider: WebExecutionProvider = preferWebGpu && (await webGpuUsable()) ? 'webgpu' : 'wasm';
  const open = openOrtWebBackend(provider);
  let runner: ModelRunner;
  try {
    runner =
      source.kind === 'network'
        ? await ModelRunner.create(open, source.spec, source.state, source.description)
        : await ModelRunner.fromOnnx(open, source.onnx, name, { description: source.description });
  } catch (error) {
    if (isEnhanceError(error)) throw error; // already names the file
    throw new Error(`${name}: is not a model onnxruntime-web can run (${String(error instanceof Error ? error.message : error).split('\n')[0]})`);
  }
  const where = provider === 'webgpu' ? 'WebGPU' : `WebAssembly, ${ort.env.wasm.numThreads} thread${ort.env.wasm.numThreads === 1 ? '' : 's'}`;
  return { runner, where };
}

const sizeSchema = upscaleOptionsSchema.pick({ scale: true, width: true, height: true, fit: true });

/** The page's size request checked by the CLI's rules; a bad one fails in one line naming the field. */
function checkedSize(request: SizeRequest): SizeRequest {
  const parsed = sizeSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.join('.') === 'scale' ? 'factor' : issue.path.join('.');
  throw new Error(`output size: ${field} ${issue.message}`);
}

let current: LoadedModel | undefined;
const jobs = new Map<number, AbortController>();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function messageOf(error: unknown): string {
  if (isEnhanceError(error)) return error.message; // already names the file
  return error instanceof Error ? error.message : String(error);
}

async function upscale(message: Extract<ToWorker, { type: 'upscale' }>): Promise<void> {
  const runner = current?.runner;
  if (!runner) throw new Error('no model is loaded');
  const controller = new AbortController();
  jobs.set(message.id, controller);
  const started = performance.now();
  try {
    const input = tensorFromRaster({ width: message.width, height: message.height, channels: 4, bitDepth: 8, data: new Uint8Array(message.rgba) });
    const plan = planEnlargement({ width: message.width, height: message.height }, checkedSize(message.size), runner.scale, runner.scale);
    const problem = enlargementProblem(plan);
    if (problem) throw new Error(`the ${message.width}x${message.height} picture ${problem}`);
    // 'whole' still tiles above 1024 px: one run on a bigger picture can exhaust WebAssembly's 4 GB.
    const tile = message.tile === 'whole' ? Math.min(Math.max(message.width, message.height), 1024) : message.tile;
    const options = { tile, signal: controller.signal, onProgress: (done: number, total: number) => post({ type: 'progress', id: message.id, done, total }) };
    let output;
    if (plan.passes === 1 && !plan.resize) {
      // The model's own scale: tiles go straight into the 8-bit result, no whole-picture float tensor.
      output = createRaster(message.width * runner.scale, message.height * runner.scale, 4, 8);
      await upscaleInto(input, runner, rasterSink(output), options);
    } else {
      // Other sizes as the CLI makes them: the model as many times as needed, then a MATLAB bicubic resize.
      output = await enlargeToRaster(input, runner, 8, plan, options);
    }
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
      await previous?.runner.release();
      current = await loadModel(message.name, new Uint8Array(message.bytes), message.preferWebGpu);
      post({ type: 'loaded', id: message.id, scale: current.runner.scale, description: current.runner.traits.description, backend: current.where });
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
