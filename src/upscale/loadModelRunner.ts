import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { readSafetensors } from '../checkpoint/safetensors.js';
import { EnhanceError } from '../errors.js';
import { importNcnnModel } from '../importers/ncnn/ncnnToOnnx.js';
import { importTfjsModel } from '../importers/tfjs/importTfjsModel.js';
import { detectArchitecture } from '../models/detectArchitecture.js';
import { defaultModelFor, resolveModelPath } from '../models/modelFile.js';
import type { StateDict } from '../nn/buildContext.js';
import type { SessionOptions } from '../runtime/session.js';
import { readPytorchStateDict } from '../weights/pytorchFile.js';
import { ModelRunner } from './modelUpscale.js';

export interface LoadRunnerOptions {
  /** The scale the caller wants; a model of another scale is an error. */
  scale?: number;
  threads?: number;
}

/** The model file formats enhance reads, told apart by content (names can lie: '.pth' files named '.bin'). */
export type ModelFormat = 'safetensors' | 'pytorch' | 'onnx' | 'ncnn' | 'tfjs';

/** The first bytes of a file. */
async function head(path: string, bytes = 16): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnhanceError(code === 'ENOENT' ? 'no such model file' : `cannot read (${code ?? String(error)})`, { file: path, cause: error });
  }
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What kind of model file `path` is, from its first bytes, then its extension. */
export async function modelFormatOf(path: string): Promise<ModelFormat | undefined> {
  const magic = await head(path);
  const extension = extname(path).toLowerCase();
  if (magic.length >= 9 && magic.readBigUInt64LE(0) < 100_000_000n && magic[8] === 0x7b) return 'safetensors'; // header length, then '{'
  if (magic[0] === 0x50 && magic[1] === 0x4b) return 'pytorch'; // zip: torch >= 1.6
  if (magic[0] === 0x80 && magic[1] >= 2 && magic[1] <= 5) return 'pytorch'; // a pickle: legacy torch.save
  if (magic.toString('latin1').startsWith('7767517')) return 'ncnn';
  if (extension === '.json' && magic.toString('utf8').trimStart().startsWith('{')) return 'tfjs';
  if (extension === '.onnx' || (magic[0] === 0x08 && extension !== '.bin')) return 'onnx'; // protobuf field 1 (ir_version)
  return undefined;
}

/** Our network from third-party weights: the architecture is recognised from the parameter names and shapes. */
function fromWeights(state: StateDict, path: string, options: SessionOptions): Promise<ModelRunner> {
  const detected = detectArchitecture(state, path);
  return ModelRunner.create(detected.spec, detected.state, { ...options, description: detected.description });
}

/** Compile any supported model file into a runner. */
async function compile(path: string, threads: number | undefined): Promise<ModelRunner> {
  const options = threads === undefined ? {} : { threads };
  switch (await modelFormatOf(path)) {
    case 'safetensors': {
      const { tensors, metadata } = await readSafetensors(path);
      return metadata['enhance.arch'] ? ModelRunner.fromFile(path, options) : fromWeights(tensors, path, options);
    }
    case 'pytorch':
      return fromWeights(await readPytorchStateDict(path), path, options);
    case 'onnx':
      return ModelRunner.fromOnnx(await readFile(path), path, options);
    case 'ncnn':
      return ModelRunner.fromOnnx(await importNcnnModel(path), path, { ...options, description: `ncnn model ${path}` });
    case 'tfjs':
      return ModelRunner.fromOnnx(await importTfjsModel(path), path, { ...options, description: `TF.js model ${path}` });
    case undefined: {
      const magic = await head(path, 8);
      throw new EnhanceError(
        `is not a model file enhance can read (${magic.length === 0 ? 'empty file' : `starts with ${magic.toString('hex')}`}); ` +
          'use an enhance or ESRGAN-family .safetensors, a PyTorch .pth, an ONNX .onnx, an ncnn .param or a TF.js model.json',
        { file: path },
      );
    }
  }
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
  const key = `${path}\0${options.threads ?? ''}`;
  let runner = runners.get(key);
  if (!runner) {
    runner = compile(path, options.threads);
    runners.set(key, runner);
    runner.catch(() => runners.delete(key));
  }
  const ready = await runner;
  if (options.scale !== undefined && ready.scale !== options.scale) {
    throw new EnhanceError(`is a x${ready.scale} model, but scale ${options.scale} was asked for`, { file: nameOrPath });
  }
  return ready;
}

