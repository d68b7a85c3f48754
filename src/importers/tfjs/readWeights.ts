import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EnhanceError } from '../../errors.js';
import { float32Tensor, type TensorData } from '../../graph/tensorData.js';
import { dequantize, storedValueBytes } from './dequantize.js';
import type { WeightGroup } from './modelJson.js';

/** A layers model's weights by their manifest names ('conv/kernel'), float32 in Keras layout. */
export type NamedWeights = Map<string, TensorData>;

async function readShard(path: string, modelJson: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnhanceError(code === 'ENOENT' ? `weight shard is missing (listed in ${modelJson})` : `cannot read weight shard (${code})`, { file: path });
  }
}

/**
 * A group's shard files are one byte stream cut into pieces (a cut may fall inside a tensor), holding
 * the group's weights back to back in manifest order.
 */
async function readGroup(group: WeightGroup, index: number, modelJson: string): Promise<NamedWeights> {
  const other = group.weights.find((spec) => spec.dtype !== 'float32');
  if (other) throw new EnhanceError(`weight '${other.name}' has dtype ${other.dtype}; only float32 weights can be imported`, { file: modelJson });
  const paths = group.paths.map((p) => resolve(dirname(modelJson), p));
  const shards = await Promise.all(paths.map((p) => readShard(p, modelJson)));
  const stream = Buffer.concat(shards);
  const counts = group.weights.map((w) => w.shape.reduce((a, b) => a * b, 1));
  const needed = group.weights.reduce((sum, w, i) => sum + counts[i] * storedValueBytes(w.quantization), 0);
  if (stream.length !== needed) {
    const sizes = shards.map((s, i) => `${group.paths[i]}: ${s.length} bytes`).join(', ');
    const message = `the weights of group ${index + 1} need ${needed} bytes but the shard${shards.length > 1 ? 's hold' : ' holds'} ${stream.length} (${sizes})`;
    throw new EnhanceError(message, { file: paths.length === 1 ? paths[0] : modelJson });
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
  const groups = await Promise.all(manifest.map((group, index) => readGroup(group, index, modelJson)));
  const all: NamedWeights = new Map();
  for (const group of groups) {
    for (const [name, tensor] of group) {
      if (all.has(name)) throw new EnhanceError(`weight '${name}' is listed twice in weightsManifest`, { file: modelJson });
      all.set(name, tensor);
    }
  }
  return all;
}
