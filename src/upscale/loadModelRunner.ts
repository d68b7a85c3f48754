import type { Precision } from './upscaleOptions.js';
import { EnhanceError } from '../errors.js';
import { defaultModelFor, resolveModelPath } from '../models/modelFile.js';
import { readModelSource } from '../models/modelSource.js';
import { quantizeModelFile } from '../quantize/quantizeModelFile.js';
import { traitsOf } from '../architectures/registry.js';
import { ModelRunner } from './modelRunner.js';
import { openThreadedBackend } from './threadedBackend.js';

export interface LoadRunnerOptions {
  /** The scale the caller wants; a model of another scale is an error. */
  scale?: number;
  threads?: number;
  /** 'int8': the model quantized on loading (calibrated on the package's samples). Default 'fp32'. */
  precision?: Precision;
}

/** Compile any supported model file into a runner. */
async function compile(path: string, threads: number | undefined, precision: Precision): Promise<ModelRunner> {
  const open = openThreadedBackend(threads === undefined ? {} : { threads });
  const source = await readModelSource(path);
  if (precision === 'int8') {
    // Our networks keep their known tiling traits; the int8 graph needs less memory than the float one.
    const known = source.kind === 'network' ? traitsOf(source.spec) : {};
    const { onnx, description } = await quantizeModelFile(path, { threads });
    return ModelRunner.fromOnnx(open, onnx, path, { ...known, description });
  }
  if (source.kind === 'network') return ModelRunner.create(open, source.spec, source.state, source.description);
  return ModelRunner.fromOnnx(open, source.path ?? source.onnx, path, { description: source.description });
}

const runners = new Map<string, Promise<ModelRunner>>();

/**
 * The runner for a model name or file, compiled once per process (a folder of pictures compiles the
 * model once). 'default' is the shipped model for the scale.
 */
export async function loadModelRunner(nameOrPath: string, options: LoadRunnerOptions = {}): Promise<ModelRunner> {
  let path: string;
  if (nameOrPath === 'default') {
    const shipped = defaultModelFor(options.scale ?? 4);
    if (!shipped) throw new EnhanceError(`there is no shipped x${options.scale ?? 4} model; give --model or --method`);
    path = shipped;
  } else {
    path = resolveModelPath(nameOrPath);
  }
  const precision = options.precision ?? 'fp32';
  const key = `${path}\0${options.threads ?? ''}\0${precision}`;
  let runner = runners.get(key);
  if (!runner) {
    runner = compile(path, options.threads, precision);
    runners.set(key, runner);
    runner.catch(() => runners.delete(key));
  }
  const ready = await runner;
  if (options.scale !== undefined && ready.scale !== options.scale) {
    throw new EnhanceError(`is a x${ready.scale} model, but scale ${options.scale} was asked for`, { file: nameOrPath });
  }
  return ready;
}


/** Release every compiled model (their worker threads end): before a clean exit after Ctrl-C. */
export async function releaseModelRunners(): Promise<void> {
  const all = [...runners.values()];
  runners.clear();
  await Promise.all(all.map(async (runner) => (await runner.catch(() => undefined))?.release()));
}
