import { bfloat16ToFloat32, float16ToFloat32 } from '../io/halfFloat.js';
import { EnhanceError } from '../errors.js';
import type { TensorData } from '../graph/tensorData.js';
import { writeBufferAtomic } from '../io/atomicWrite.js';
import { readInputFile } from '../io/readInputFile.js';
import { elementCount, MAX_MODEL_FILE_BYTES, MAX_TENSOR_ELEMENTS } from '../models/modelLimits.js';

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw little-endian data. Written by hand because
 * no maintained JavaScript library exists; the format is this small.
 */
export interface SafetensorsFile {
  tensors: Map<string, TensorData>;
  metadata: Record<string, string>;
}

const WRITE_DTYPE = { float32: 'F32', int64: 'I64', bool: 'BOOL' } as const;
const BYTES = { F32: 4, I64: 8, BOOL: 1, F16: 2, BF16: 2, F64: 8, I32: 4 } as const;
type StoredDtype = keyof typeof BYTES;

export function encodeSafetensors(tensors: ReadonlyMap<string, TensorData>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const length = tensor.data.byteLength;
    header[name] = { dtype: WRITE_DTYPE[tensor.dtype], shape: tensor.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const tensor of tensors.values()) {
    out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), position);
    position += tensor.data.byteLength;
  }
  return out;
}

/** Decode one stored tensor; half and bfloat16 (common in released weights) become float32. */
function decodeTensor(bytes: Uint8Array, dtype: StoredDtype, shape: number[]): TensorData {
  const copy = new Uint8Array(bytes); // a copy with its own aligned buffer (Buffer.slice would share memory)
  const count = shape.reduce((a, b) => a * b, 1);
  switch (dtype) {
    case 'F32':
      return { dtype: 'float32', shape, data: new Float32Array(copy.buffer) };
    case 'I64':
      return { dtype: 'int64', shape, data: new BigInt64Array(copy.buffer) };
    case 'BOOL':
      return { dtype: 'bool', shape, data: copy };
    case 'F64':
      return { dtype: 'float32', shape, data: Float32Array.from(new Float64Array(copy.buffer)) };
    case 'I32':
      return { dtype: 'int64', shape, data: BigInt64Array.from(new Int32Array(copy.buffer), (v) => BigInt(v)) };
    case 'F16':
      return { dtype: 'float32', shape, data: float16ToFloat32(copy, count) };
    case 'BF16':
      return { dtype: 'float32', shape, data: bfloat16ToFloat32(copy, count) };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isByteOffset(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Read a safetensors file. Every header entry is checked before anything is allocated (its type,
 * dtype, shape of non-negative integers, and a byte range that fits the file and the shape), so a
 * crafted header yields one line naming the file and the tensor, never a JavaScript error.
 */
export function decodeSafetensors(bytes: Uint8Array, name = '<buffer>'): SafetensorsFile {
  const fail = (problem: string): never => {
    throw new EnhanceError(`not a valid safetensors file: ${problem}`, { file: name });
  };
  if (bytes.length < 8) fail('shorter than its 8-byte header length');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(`the header claims ${headerLength} bytes but the file has ${bytes.length - 8} after the length`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    return fail('the header is not JSON');
  }
  if (!isPlainObject(header)) return fail('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, TensorData>();
  let metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') {
      if (!isPlainObject(entry) || !Object.values(entry).every((value) => typeof value === 'string')) fail('__metadata__ is not a map of strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    if (!isPlainObject(entry)) return fail(`the entry of tensor '${key}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype !== 'string' || !Object.hasOwn(BYTES, dtype)) return fail(`tensor '${key}' has dtype ${JSON.stringify(dtype)}, which is not supported`);
    if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
      return fail(`tensor '${key}' has shape ${JSON.stringify(shape)}, not a list of sizes`);
    }
    const count = elementCount(shape);
    if (count > MAX_TENSOR_ELEMENTS) fail(`tensor '${key}' has shape [${shape.join(', ')}], more elements than enhance reads in one tensor`);
    const expected = count * BYTES[dtype as StoredDtype];
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isByteOffset) || offsets[1] - offsets[0] !== expected || dataStart + offsets[1] > bytes.length) {
      fail(`tensor '${key}' (${dtype} [${shape.join(', ')}]) has a bad byte range ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    tensors.set(key, decodeTensor(bytes.subarray(dataStart + begin, dataStart + end), dtype as StoredDtype, shape as number[]));
  }
  return { tensors, metadata };
}

export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  return decodeSafetensors(await readInputFile(path, 'safetensors file', MAX_MODEL_FILE_BYTES), path);
}

/** Written under a temporary name and renamed, so a checkpoint on disk is always complete. */
export function writeSafetensors(path: string, tensors: ReadonlyMap<string, TensorData>, metadata: Record<string, string> = {}): Promise<void> {
  return writeBufferAtomic(path, encodeSafetensors(tensors, metadata));
}
