import type { DType } from './value.js';

/** Concrete tensor contents held by the graph (constants, initial parameter values) and fed to runs. */
export interface TensorData {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float32Array | BigInt64Array | Uint8Array;
}

export function float32Tensor(data: Float32Array | readonly number[], shape: readonly number[]): TensorData {
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new RangeError(`float32Tensor: ${values.length} values for shape [${shape.join(', ')}]`);
  return { dtype: 'float32', shape, data: values };
}

export function int64Tensor(values: readonly number[], shape: readonly number[] = [values.length]): TensorData {
  return { dtype: 'int64', shape, data: BigInt64Array.from(values, (v) => BigInt(v)) };
}
