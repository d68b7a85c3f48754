import type { TensorData } from '../../graph/tensorData.js';

/** Permute a weight's axes (row-major data), e.g. Keras [kh, kw, cin, cout] to ONNX [cout, cin, kh, kw]. */
export function permuteWeight(weight: TensorData, perm: readonly number[]): TensorData {
  const source = weight.data as Float32Array;
  const shape = weight.shape;
  const outShape = perm.map((p) => shape[p]);
  const strides = shape.map((_, axis) => shape.slice(axis + 1).reduce((a, b) => a * b, 1));
  const outStrides = perm.map((p) => strides[p]);
  const out = new Float32Array(source.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let offset = 0;
    for (let axis = 0; axis < index.length; axis++) offset += index[axis] * outStrides[axis];
    out[i] = source[offset];
    for (let axis = index.length - 1; axis >= 0; axis--) {
      if (++index[axis] < outShape[axis]) break;
      index[axis] = 0;
    }
  }
  return { dtype: 'float32', shape: outShape, data: out };
}
