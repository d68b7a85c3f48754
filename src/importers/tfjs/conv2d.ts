import { graphOf } from '../../graph/graph.js';
import { defineOp } from '../../graph/opDefinition.js';
import { conv } from '../../graph/ops/conv.js';
import type { Dim } from '../../graph/shape.js';
import type { TensorData } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';

/** Keras Conv2D's geometry, with every size as [rows, columns]. */
export interface Conv2DGeometry {
  strides: readonly [number, number];
  padding: 'same' | 'valid';
  dilations: readonly [number, number];
}

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

/** Inference-only: a Conv that ONNX pads itself the TensorFlow way (no gradient rule; imports never train). */
const SameUpperConvOp = defineOp({ type: 'Conv' });

const ceilDiv = (d: Dim, s: number): Dim => (typeof d === 'number' ? Math.ceil(d / s) : `ceil(${d}/${s})`);

/**
 * A Keras Conv2D on NCHW tensors. `w` is ONNX-ordered [cout, cin, kh, kw]. TensorFlow's 'same' pads
 * the total (k - 1) * dilation + 1 - stride (at least 0, for an input divisible by the stride) with the
 * odd pixel at the end. At stride 1 that total does not depend on the input size and becomes explicit
 * pads; with a larger stride it does, so the Conv gets ONNX's auto_pad SAME_UPPER, which is the same rule.
 */
export function kerasConv2d(x: Value, w: Value, b: Value | undefined, geometry: Conv2DGeometry): Value {
  const kernel = [w.shape[2] as number, w.shape[3] as number];
  const { strides, dilations } = geometry;
  if (geometry.padding === 'valid') return conv(x, w, b, { strides, dilations });
  if (strides[0] === 1 && strides[1] === 1) {
    const total = kernel.map((k, axis) => (k - 1) * dilations[axis]);
    const before = total.map((t) => Math.floor(t / 2));
    return conv(x, w, b, { dilations, pads: [before[0], before[1], total[0] - before[0], total[1] - before[1]] });
  }
  const graph = graphOf('Conv', x, w, b);
  const shape = [x.shape[0], w.shape[0], ceilDiv(x.shape[2], strides[0]), ceilDiv(x.shape[3], strides[1])];
  const attributes = { kernel_shape: kernel, strides, dilations, group: 1, auto_pad: 'SAME_UPPER' };
  return graph.addNode(SameUpperConvOp, b ? [x, w, b] : [x, w], attributes, [{ dtype: 'float32', shape }])[0];
}
