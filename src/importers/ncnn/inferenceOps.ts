import { requireFloat } from '../../graph/graph.js';
import type { Attributes } from '../../graph/node.js';
import { defineOp, type OpDefinition } from '../../graph/opDefinition.js';
import { broadcastShapes, formatShape, type Dim } from '../../graph/shape.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';

/**
 * ONNX ops that ncnn layers need and the training engine does not. Imported models are only run, never
 * trained, so these ops have no gradient rule (`grad` names them if one is ever asked for).
 */
export const ClipOp = defineOp({ type: 'Clip' });
export const MaxOp = defineOp({ type: 'Max' });
export const MinOp = defineOp({ type: 'Min' });
export const ResizeOp = defineOp({ type: 'Resize' });

/** Values below `min` become `min`, above `max` become `max`. */
export function clip(x: Value, min: number, max: number): Value {
  requireFloat('Clip', x);
  return x.graph.addNode(ClipOp, [x, x.graph.scalar(min), x.graph.scalar(max)], {}, [{ dtype: 'float32', shape: x.shape }])[0];
}

function broadcasting(op: OpDefinition, a: Value, b: Value): Value {
  requireFloat(op.type, a, b);
  const shape = broadcastShapes(a.shape, b.shape);
  if (!shape) throw new RangeError(`${op.type}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
  return a.graph.addNode(op, [a, b], {}, [{ dtype: 'float32', shape }])[0];
}

export const maximum = (a: Value, b: Value): Value => broadcasting(MaxOp, a, b);
export const minimum = (a: Value, b: Value): Value => broadcasting(MinOp, a, b);

/** What a Resize produces: an output of `scales` times the input (floored), or of `sizes` computed at run time. */
export type ResizeTarget = { readonly scales: readonly [number, number] } | { readonly sizes: Value };

/**
 * ONNX Resize of [N, C, H, W] over its two spatial axes. `attributes` carry the interpolation (mode,
 * coordinate_transformation_mode...); `shape` is the output's shape as the caller works it out.
 */
export function resize(x: Value, target: ResizeTarget, attributes: Attributes, shape: readonly Dim[]): Value {
  requireFloat('Resize', x);
  if (x.rank !== 4) throw new RangeError(`Resize: input must have rank 4, got ${formatShape(x.shape)}`);
  const inputs =
    'scales' in target
      ? [x, undefined, x.graph.constant(float32Tensor([1, 1, ...target.scales], [4]))]
      : [x, undefined, undefined, target.sizes];
  return x.graph.addNode(ResizeOp, inputs, attributes, [{ dtype: 'float32', shape }])[0];
}
