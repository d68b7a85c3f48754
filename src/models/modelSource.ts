import { open, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { readSafetensors } from '../checkpoint/safetensors.js';
import { EnhanceError } from '../errors.js';
import { importNcnnModel } from '../importers/ncnn/ncnnToOnnx.js';
import { importTfjsModel } from '../importers/tfjs/importTfjsModel.js';
import type { StateDict } from '../nn/buildContext.js';
import { exportForwardModel } from '../runtime/exportOnnx.js';
import { readPytorchStateDict } from '../weights/pytorchFile.js';
import { buildNetwork, type ModelSpec } from './architectures.js';
import { detectArchitecture } from './detectArchitecture.js';
import { modelFromSafetensors } from './modelFile.js';

/** The model file formats enhance reads, told apart by content (names can lie: '.pth' files named '.bin'). */
export type ModelFormat = 'safetensors' | 'pytorch' | 'onnx' | 'ncnn' | 'tfjs';

/**
 * A model as read from any file: one of our networks with its weights (enhance and ESRGAN-family
 * weights, whatever the file format), or an ONNX graph to run as it is (ONNX files, ncnn and TF.js
 * models converted on loading).
 */
export type ModelSource =
  | { kind: 'network'; spec: ModelSpec; state: StateDict; description: string }
  | { kind: 'onnx'; onnx: Uint8Array; description: string };

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
  if (extension === '.onnx' || (magic[0] === 0x08 && extension !== '.bin')) return 'onnx'; // protobuf field 1: ir_version
  return undefined;
}

/** Our network from third-party weights: the architecture is recognised from the parameter names and shapes. */
function fromWeights(state: StateDict, path: string): ModelSource {
  return { kind: 'network', ...detectArchitecture(state, path) };
}

/** Read any supported model file. */
export async function readModelSource(path: string): Promise<ModelSource> {
  switch (await modelFormatOf(path)) {
    case 'safetensors': {
      const file = await readSafetensors(path);
      if (!file.metadata['enhance.arch']) return fromWeights(file.tensors, path);
      const { spec, state } = modelFromSafetensors(file, path);
      const options = Object.entries(spec.options).map(([k, v]) => `${k} ${v}`).join(', ');
      return { kind: 'network', spec, state, description: `${spec.arch} x${spec.scale}${options ? ` (${options})` : ''}` };
    }
    case 'pytorch':
      return fromWeights(await readPytorchStateDict(path), path);
    case 'onnx':
      return { kind: 'onnx', onnx: await readFile(path), description: `ONNX model ${path}` };
    case 'ncnn':
      return { kind: 'onnx', onnx: await importNcnnModel(path), description: `ncnn model ${path}` };
    case 'tfjs':
      return { kind: 'onnx', onnx: await importTfjsModel(path), description: `TF.js model ${path}` };
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

/** The model as a standalone ONNX graph (input 'input' [batch, 3, height, width] in [0, 1]). */
export function onnxOf(source: ModelSource): Uint8Array {
  return source.kind === 'onnx' ? source.onnx : exportForwardModel((ctx, x) => buildNetwork(source.spec, ctx, x), source.state);
}
