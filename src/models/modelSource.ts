import { open } from 'node:fs/promises';
import { importNcnnModel } from '../importers/ncnn/ncnnToOnnx.js';
import { importTfjsModel } from '../importers/tfjs/importTfjsModel.js';
import { EnhanceError } from '../errors.js';
import { readInputFile } from '../io/readInputFile.js';
import { modelFormatFromHead, modelSourceFromBytes, notAModelFile, type ModelFormat, type ModelSource } from './modelBytes.js';

export { onnxOf, type ModelFormat, type ModelSource } from './modelBytes.js';

/** The first bytes of a file. */
async function head(path: string, bytes = 16): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnhanceError(code === 'ENOENT' ? 'no such model file' : `cannot read (${code ?? String(error)})`, { file: path, cause: error });
  }
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What kind of model file `path` is, from its first bytes, then its extension. */
export async function modelFormatOf(path: string): Promise<ModelFormat | undefined> {
  return modelFormatFromHead(await head(path), path);
}

/** Read any supported model file (ncnn and TF.js models read their other files beside it). */
export async function readModelSource(path: string): Promise<ModelSource> {
  const format = await modelFormatOf(path);
  if (format === 'ncnn') return { kind: 'onnx', onnx: await importNcnnModel(path), description: `ncnn model ${path}` };
  if (format === 'tfjs') return { kind: 'onnx', onnx: await importTfjsModel(path), description: `TF.js model ${path}` };
  if (format === undefined) throw notAModelFile(await head(path, 8), path);
  return modelSourceFromBytes(await readInputFile(path, 'model'), path);
}
