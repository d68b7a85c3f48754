import { describe, expect, it } from 'vitest';
import { findTorchGlobal, StorageType, StoredTensor, TorchStorage } from '../../src/weights/torchTensor.js';

function storageOf(className: string, bytes: Uint8Array): TorchStorage {
  const storage = new TorchStorage(findTorchGlobal('torch', className) as StorageType);
  storage.bytes = bytes;
  return storage;
}

const floats = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe('StoredTensor', () => {
  it('reads a strided view with a zero stride (an expanded tensor) by repeating elements', () => {
    const tensor = new StoredTensor(storageOf('FloatStorage', floats(9, 1, 2)), 1, [3, 2], [0, 1]);
    expect(Array.from(tensor.toTensorData().data as Float32Array)).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('refuses a large view that repeats a small storage (a few bytes claiming gigabytes)', () => {
    const tensor = new StoredTensor(storageOf('FloatStorage', floats(1, 2, 3)), 0, [4096, 2048], [0, 0]);
    expect(() => tensor.toTensorData()).toThrow('is a view of 8388608 elements over a storage of 3 (a repeating stride); refused');
  });

  it('refuses a view that reaches past the end of its storage', () => {
    const tensor = new StoredTensor(storageOf('FloatStorage', floats(1, 2, 3)), 1, [3], [1]);
    expect(() => tensor.toTensorData()).toThrow('needs element 3 of a storage that holds 3 (the file is truncated or corrupt)');
  });

  it('reads an empty tensor without touching its storage', () => {
    const tensor = new StoredTensor(storageOf('FloatStorage', new Uint8Array(0)), 0, [0, 4], [4, 1]);
    expect(tensor.toTensorData()).toEqual({ dtype: 'float32', shape: [0, 4], data: new Float32Array(0) });
  });

  it('names a storage class whose elements it cannot convert', () => {
    const tensor = new StoredTensor(storageOf('ComplexFloatStorage', new Uint8Array(8)), 0, [1], [1]);
    expect(() => tensor.toTensorData()).toThrow('is stored as torch.ComplexFloatStorage, which cannot be read');
  });
});

describe('findTorchGlobal', () => {
  it('turns any other torch rebuild function into an error naming it, raised when it is called', () => {
    const rebuild = findTorchGlobal('torch._utils', '_rebuild_qtensor') as () => unknown;
    expect(rebuild).toBeTypeOf('function');
    expect(() => rebuild()).toThrow('holds a tensor saved with torch._utils._rebuild_qtensor, which cannot be read (only dense tensors can)');
  });

  it('leaves globals outside torch to others', () => {
    expect(findTorchGlobal('collections', 'OrderedDict')).toBeUndefined();
    expect(findTorchGlobal('torchvision.models', 'ResNet')).toBeUndefined();
  });
});
