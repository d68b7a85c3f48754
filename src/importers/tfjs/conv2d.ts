import { graphOf } from '../../graph/graph.js';
import { defineOp } from '../../graph/opDefinition.js';
import { conv } from '../../graph/ops/conv.js';
import type { Dim } from '../../graph/shape.js';
import type { Value } from '../../graph/value.js';

/** Keras Conv2D's geometry, with every size as [rows, columns]. */
export interface Conv2DGeometry {
  strides: readonly [number, number];
  padding: 'same' | 'valid';
  dilations: readonly [number, number];
}

/** Inference-only: a Conv that ONNX pads itself the TensorFlow way (no gradient rule; imports never train). */
const SameUpperConvOp = defineOp({ type: 'Conv' });

const ceilDiv = (d: Dim, s: number): Dim => (typeof d === 'number' ? Math.ceil(d / s) : `ceil(${d}/${s})`);

/**
 * A Keras Conv2D on NCHW tensors, `w` in ONNX order [cout, cin, kh, kw]. TensorFlow's 'same' makes
 * ceil(n / stride) outputs and pads what that needs, the odd pixel at the end. At stride 1 the total is
 * (k - 1) * dilation whatever the size, so it becomes explicit pads; at a larger stride it depends on
 * the size, which is symbolic here, and ONNX's auto_pad SAME_UPPER applies the same rule at run time.
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
