import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnhanceError } from '../../errors.js';
import { float32Tensor, type TensorData } from '../../graph/tensorData.js';
import { confinedFile, describeFileError } from '../../io/fileChecks.js';
import { elementCount, MAX_MODEL_FILE_BYTES, MAX_TENSOR_ELEMENTS } from '../../models/modelLimits.js';
import { dequantize, storedValueBytes } from './dequantize.js';
import type { WeightGroup } from './modelJson.js';

/** A layers model's weights by their manifest names ('conv/kernel'), float32 in Keras layout. */
export type NamedWeights = Map<string, TensorData>;

/**
 * One shard, read only if it is a regular file inside the folder of model.json and no larger than the
 * group needs: the manifest comes from whoever made the model, and may name '/etc/passwd',
 * '../../secret', '/dev/zero' or a FIFO.
 */
async function readShard(name: string, modelJson: string, maxBytes: number): Promise<Buffer> {
  const { path } = await confinedFile(dirname(modelJson), name, modelJson, { kind: 'weight shard', maxBytes });
  try {
    return await readFile(path);
  } catch (error) {
    throw new EnhanceError(`weight shard '${name}': ${describeFileError(error, 'weight shard')}`, { file: modelJson });
  }
}

/**
 * A group's shard files are one byte stream cut into pieces (a cut may fall inside a tensor), holding
 * the group's weights back to back in manifest order.
 */
async function readGroup(group: WeightGroup, index: number, modelJson: string): Promise<NamedWeights> {
  const other = group.weights.find((spec) => spec.dtype !== 'float32');
  if (other) throw new EnhanceError(`weight '${other.name}' has dtype ${other.dtype}; only float32 weights can be imported`, { file: modelJson });
  const counts = group.weights.map((w) => elementCount(w.shape));
  const huge = group.weights.find((_, i) => counts[i] > MAX_TENSOR_ELEMENTS);
  if (huge) throw new EnhanceError(`weight '${huge.name}' claims shape [${huge.shape.join(', ')}], more than enhance reads`, { file: modelJson });
  const needed = group.weights.reduce((sum, w, i) => sum + counts[i] * storedValueBytes(w.quantization), 0);
  if (needed > MAX_MODEL_FILE_BYTES) throw new EnhanceError(`the weights of group ${index + 1} claim ${needed} bytes, more than enhance reads`, { file: modelJson });
  const shards: Buffer[] = [];
  for (const name of group.paths) shards.push(await readShard(name, modelJson, needed));
  const stream = Buffer.concat(shards);
  if (stream.length !== needed) {
    const sizes = shards.map((s, i) => `${group.paths[i]}: ${s.length} bytes`).join(', ');
    const message = `the weights of group ${index + 1} need ${needed} bytes but the shard${shards.length > 1 ? 's hold' : ' holds'} ${stream.length} (${sizes})`;
    throw new EnhanceError(message, { file: modelJson });
  }
  const weights: NamedWeights = new Map();
  let offset = 0;
  group.weights.forEach((spec, i) => {
    const length = counts[i] * storedValueBytes(spec.quantization);
    weights.set(spec.name, float32Tensor(dequantize(stream.subarray(offset, offset + length), counts[i], spec.quantization), spec.shape));
    offset += length;
  });
  return weights;
}

/** Read every weight a model.json's manifest lists, dequantized to float32. */
export async function readWeights(manifest: readonly WeightGroup[], modelJson: string): Promise<NamedWeights> {
  const all: NamedWeights = new Map();
  for (const [index, group] of manifest.entries()) {
    for (const [name, tensor] of await readGroup(group, index, modelJson)) {
      if (all.has(name)) throw new EnhanceError(`weight '${name}' is listed twice in weightsManifest`, { file: modelJson });
      all.set(name, tensor);
    }
  }
  return all;
}
