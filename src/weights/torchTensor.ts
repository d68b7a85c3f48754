import { MAX_TENSOR_ELEMENTS } from '../models/modelLimits.js';
import { EnhanceError } from '../errors.js';
import { bfloat16ToFloat32, float16ToFloat32 } from '../io/halfFloat.js';
import type { TensorData } from '../graph/tensorData.js';

/**
 * PyTorch tensors as torch.save pickles them: a storage (a flat run of little-endian elements), a storage
 * offset, a size and strides, rebuilt by `torch._utils._rebuild_tensor_v2`. Here that call records a
 * `StoredTensor`; its values are read later, once the file reader has found the storage's bytes, and
 * only for the tensors the caller wants.
 */

type ElementType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

// Element sizes of every storage class torch.save writes; the ones without a type are skipped, not read.
const STORAGE_CLASSES = new Map<string, { type?: ElementType; bytes: number }>([
  ['FloatStorage', { type: 'float32', bytes: 4 }],
  ['HalfStorage', { type: 'float16', bytes: 2 }],
  ['BFloat16Storage', { type: 'bfloat16', bytes: 2 }],
  ['DoubleStorage', { type: 'float64', bytes: 8 }],
  ['LongStorage', { type: 'int64', bytes: 8 }],
  ['IntStorage', { type: 'int32', bytes: 4 }],
  ['ShortStorage', { type: 'int16', bytes: 2 }],
  ['CharStorage', { type: 'int8', bytes: 1 }],
  ['ByteStorage', { type: 'uint8', bytes: 1 }],
  ['UntypedStorage', { type: 'uint8', bytes: 1 }],
  ['BoolStorage', { type: 'bool', bytes: 1 }],
  ['ComplexFloatStorage', { bytes: 8 }],
  ['ComplexDoubleStorage', { bytes: 16 }],
  ['QInt8Storage', { bytes: 1 }],
  ['QUInt8Storage', { bytes: 1 }],
  ['QInt32Storage', { bytes: 4 }],
  ['QUInt4x2Storage', { bytes: 1 }],
  ['QUInt2x4Storage', { bytes: 1 }],
]);

/** A `torch.<Type>Storage` class a checkpoint names: the kind and size of its elements. */
export class StorageType {
  constructor(
    readonly qualifiedName: string,
    readonly elementType: ElementType | undefined,
    /** Undefined for a storage class this reader does not know at all. */
    readonly elementBytes: number | undefined,
  ) {}
}

/** One storage of a checkpoint; the file reader sets `bytes` (in the legacy format, after unpickling). */
export class TorchStorage {
  bytes: Uint8Array | undefined = undefined;

  constructor(readonly type: StorageType) {}
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Row-major order with no gaps, ignoring axes of size 1 (their stride never matters). */
function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && strides[axis] !== expected) return false;
    expected *= shape[axis];
  }
  return true;
}

/** The storage index of every element of a strided view, in row-major order, counted from its offset. */
function stridedIndices(shape: readonly number[], strides: readonly number[]): Float64Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const indices = new Float64Array(count);
  const position = new Array<number>(shape.length).fill(0);
  let index = 0;
  for (let i = 0; i < count; i++) {
    indices[i] = index;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      position[axis]++;
      index += strides[axis];
      if (position[axis] < shape[axis]) break;
      index -= strides[axis] * shape[axis];
      position[axis] = 0;
    }
  }
  return indices;
}

/**
 * `count` elements from element `first` of a storage, as enhance's tensor types hold them: floats as
 * float32 (float64 rounded to nearest, as torch's .float()), integers as int64, bool as 0/1 bytes.
 */
function decodeElements(bytes: Uint8Array, type: ElementType, elementBytes: number, first: number, count: number): Float32Array | BigInt64Array | Uint8Array {
  const raw = bytes.slice(first * elementBytes, (first + count) * elementBytes); // a copy, aligned for typed arrays
  switch (type) {
    case 'float32':
      return new Float32Array(raw.buffer);
    case 'float64':
      return new Float32Array(new Float64Array(raw.buffer));
    case 'float16':
      return float16ToFloat32(raw, count);
    case 'bfloat16':
      return bfloat16ToFloat32(raw, count);
    case 'int64':
      return new BigInt64Array(raw.buffer);
    case 'int32':
      return BigInt64Array.from(new Int32Array(raw.buffer), (v) => BigInt(v));
    case 'int16':
      return BigInt64Array.from(new Int16Array(raw.buffer), (v) => BigInt(v));
    case 'int8':
      return BigInt64Array.from(new Int8Array(raw.buffer), (v) => BigInt(v));
    case 'uint8':
      return BigInt64Array.from(raw, (v) => BigInt(v));
    case 'bool':
      return raw;
  }
}

function pick(values: Float32Array | BigInt64Array | Uint8Array, indices: Float64Array): Float32Array | BigInt64Array | Uint8Array {
  if (values instanceof Float32Array) return Float32Array.from(indices, (i) => values[i]);
  if (values instanceof BigInt64Array) return BigInt64Array.from(indices, (i) => values[i]);
  return Uint8Array.from(indices, (i) => values[i]);
}

/** The largest view that repeats its storage's elements (stride 0) enhance reads: 4 M elements. */
const MAX_REPEATING_VIEW_ELEMENTS = 2 ** 22;

/** A tensor as a checkpoint describes it: a view (offset, shape, strides, in elements) of a storage. */
export class StoredTensor {
  constructor(
    readonly storage: TorchStorage,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
  ) {}

  /** The tensor's values in row-major order, converted to the element types enhance computes with. */
  toTensorData(): TensorData {
    const { qualifiedName, elementType, elementBytes } = this.storage.type;
    if (!elementType || !elementBytes) throw new EnhanceError(`is stored as ${qualifiedName}, which cannot be read (only real float, integer and bool tensors can)`);
    const bytes = this.storage.bytes;
    if (!bytes) throw new EnhanceError('has no storage bytes in the file');
    const dtype = elementType === 'bool' ? 'bool' : elementType.startsWith('float') || elementType === 'bfloat16' ? 'float32' : 'int64';
    const count = this.shape.reduce((a, b) => a * b, 1);
    if (count > MAX_TENSOR_ELEMENTS) throw new EnhanceError(`has shape [${this.shape.join(', ')}], more elements than enhance reads in one tensor`);
    if (count === 0) return { dtype, shape: this.shape, data: decodeElements(bytes, elementType, elementBytes, 0, 0) };
    const last = this.offset + this.shape.reduce((sum, size, axis) => sum + (size - 1) * this.strides[axis], 0);
    const available = Math.floor(bytes.length / elementBytes);
    if (last >= available) {
      throw new EnhanceError(`needs element ${last} of a storage that holds ${available} (the file is truncated or corrupt)`);
    }
    if (isContiguous(this.shape, this.strides)) {
      return { dtype, shape: this.shape, data: decodeElements(bytes, elementType, elementBytes, this.offset, count) };
    }
    // A view with more elements than its storage repeats values (stride 0, torch.expand): a few stored
    // bytes could claim gigabytes, so such views are read only while small.
    if (count > available && count > MAX_REPEATING_VIEW_ELEMENTS) {
      throw new EnhanceError(`is a view of ${count} elements over a storage of ${available} (a repeating stride); refused`);
    }
    const span = decodeElements(bytes, elementType, elementBytes, this.offset, last - this.offset + 1);
    return { dtype, shape: this.shape, data: pick(span, stridedIndices(this.shape, this.strides)) };
  }
}

/** `_rebuild_tensor(storage, storage_offset, size, stride)`; v2 adds requires_grad, hooks, metadata. */
function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown): StoredTensor {
  if (
    !(storage instanceof TorchStorage) ||
    !isCount(offset) ||
    !Array.isArray(size) ||
    !Array.isArray(stride) ||
    size.length !== stride.length ||
    !size.every(isCount) ||
    !stride.every(isCount)
  ) {
    throw new EnhanceError('corrupt tensor record: _rebuild_tensor needs a storage, an offset, a size and strides');
  }
  return new StoredTensor(storage, offset, size, stride);
}

/** `_rebuild_from_type_v2(func, new_type, args, state)`: a tensor subclass, rebuilt as a plain tensor. */
function rebuildFromType(rebuild: unknown, _type: unknown, args: unknown): unknown {
  if (typeof rebuild !== 'function' || !Array.isArray(args)) throw new EnhanceError('corrupt tensor record: _rebuild_from_type_v2 of a non-function');
  return rebuild(...args);
}

const TORCH_FUNCTIONS = new Map<string, (...args: unknown[]) => unknown>([
  ['torch._utils._rebuild_tensor', rebuildTensor],
  ['torch._utils._rebuild_tensor_v2', rebuildTensor],
  ['torch._utils._rebuild_parameter', (data) => data],
  ['torch._utils._rebuild_parameter_with_state', (data) => data],
  ['torch._tensor._rebuild_from_type', rebuildFromType],
  ['torch._tensor._rebuild_from_type_v2', rebuildFromType],
  ['torch.Size', (dims = []) => dims],
  ['torch.device', (type, index) => (index === undefined || index === null ? type : `${String(type)}:${String(index)}`)],
]);

/**
 * The torch globals a checkpoint may name: the dense-tensor rebuilders, storage classes, torch.Size and
 * torch.device. Any other `_rebuild_*` (sparse, quantized, meta tensors) fails when called, naming
 * itself, so no tensor is silently dropped. Undefined for globals outside torch.
 */
export function findTorchGlobal(module: string, name: string): unknown {
  if (module !== 'torch' && !module.startsWith('torch.')) return undefined;
  const canonicalModule = module === 'torch.tensor' ? 'torch._tensor' : module; // renamed in torch 1.8
  const qualifiedName = `${canonicalModule}.${name}`;
  const known = TORCH_FUNCTIONS.get(qualifiedName);
  if (known) return known;
  if (name.endsWith('Storage')) {
    const storageClass = STORAGE_CLASSES.get(name);
    return new StorageType(qualifiedName, storageClass?.type, storageClass?.bytes);
  }
  if (name.startsWith('_rebuild')) {
    return () => {
      throw new EnhanceError(`holds a tensor saved with ${qualifiedName}, which cannot be read (only dense tensors can)`);
    };
  }
  return undefined;
}
