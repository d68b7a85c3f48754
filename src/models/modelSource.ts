import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { importNcnnModel } from '../importers/ncnn/ncnnToOnnx.js';
import { importTfjsModel } from '../importers/tfjs/importTfjsModel.js';
import { EnhanceError } from '../errors.js';
import { checkRegularFile, confinedFile, describeFileError } from '../io/fileChecks.js';
import { readInputFile } from '../io/readInputFile.js';
import { MAX_MODEL_FILE_BYTES } from './modelLimits.js';
import { modelFormatFromHead, modelSourceFromBytes, notAModelFile, onnxSource, type ModelFormat, type ModelSource } from './modelBytes.js';

export { onnxOf, type ModelFormat, type ModelSource } from './modelBytes.js';

/** The first bytes of a regular file (a FIFO would block here for ever; `checkRegularFile` refuses it first). */
async function head(path: string, bytes = 16): Promise<Uint8Array> {
  await checkRegularFile(path, 'model file');
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new EnhanceError(describeFileError(error, 'model file'), { file: path, cause: error });
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

/**
 * An ONNX model's external data files must be regular files inside the model's folder (onnxruntime
 * itself refuses absolute paths and '..', but follows symbolic links); onnxruntime then opens the
 * model from its path, so that it finds them there and not in the current folder.
 */
async function confineExternalData(source: ModelSource & { kind: 'onnx' }, path: string): Promise<ModelSource> {
  if (!source.externalData) return source;
  for (const location of source.externalData) {
    await confinedFile(dirname(path), location, path, { kind: 'external data file', maxBytes: Number.MAX_SAFE_INTEGER });
  }
  return { ...source, path };
}

/** Read any supported model file (ncnn and TF.js models read their other files beside it). */
export async function readModelSource(path: string): Promise<ModelSource> {
  const format = await modelFormatOf(path);
  if (format === 'ncnn') return onnxSource(await importNcnnModel(path), path, `ncnn model ${path}`);
  if (format === 'tfjs') return onnxSource(await importTfjsModel(path), path, `TF.js model ${path}`);
  if (format === undefined) throw notAModelFile(await head(path, 8), path);
  const source = modelSourceFromBytes(await readInputFile(path, 'model file', MAX_MODEL_FILE_BYTES), path);
  return source.kind === 'onnx' ? confineExternalData(source, path) : source;
}
