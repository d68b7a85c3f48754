import { graphOf } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { broadcastShapes, formatShape } from '../shape.js';
import type { Value } from '../value.js';
import { sumToShape } from './broadcast.js';
import type { Operand } from './elementwise.js';

function comparison(op: ReturnType<typeof defineOp>, a: Operand, b: Operand): Value {
  const graph = graphOf(op.type, typeof a === 'number' ? undefined : a, typeof b === 'number' ? undefined : b);
  const va = typeof a === 'number' ? graph.scalar(a) : a;
  const vb = typeof b === 'number' ? graph.scalar(b) : b;
  const shape = broadcastShapes(va.shape, vb.shape);
  if (!shape) throw new RangeError(`${op.type}: shapes ${formatShape(va.shape)} and ${formatShape(vb.shape)} do not broadcast`);
  return graph.addNode(op, [va, vb], {}, [{ dtype: 'bool', shape }])[0];
}

export const GreaterOp = defineOp({ type: 'Greater', constantOutput: true });
export const EqualOp = defineOp({ type: 'Equal', constantOutput: true });

export const greater = (a: Operand, b: Operand): Value => comparison(GreaterOp, a, b);
export const equal = (a: Operand, b: Operand): Value => comparison(EqualOp, a, b);

export const WhereOp = defineOp({
  type: 'Where',
  gradient: ({ inputs: [condition, a, b], gradOutputs: [dy], needsGrad }) => [
    undefined,
    needsGrad[1] ? sumToShape(where(condition!, dy!, 0), a!.shape) : undefined,
    needsGrad[2] ? sumToShape(where(condition!, 0, dy!), b!.shape) : undefined,
  ],
});

/** Elementwise choice: `a` where `condition` is true, else `b`. */
export function where(condition: Value, a: Operand, b: Operand): Value {
  if (condition.dtype !== 'bool') throw new TypeError(`Where: the condition must be bool, is ${condition.dtype}`);
  const graph = condition.graph;
  const va = typeof a === 'number' ? graph.scalar(a) : a;
  const vb = typeof b === 'number' ? graph.scalar(b) : b;
  const shape = broadcastShapes(condition.shape, broadcastShapes(va.shape, vb.shape) ?? []);
  if (!shape || !broadcastShapes(va.shape, vb.shape)) {
    throw new RangeError(`Where: shapes ${formatShape(condition.shape)}, ${formatShape(va.shape)}, ${formatShape(vb.shape)} do not broadcast`);
  }
  return graph.addNode(WhereOp, [condition, va, vb], {}, [{ dtype: va.dtype, shape }])[0];
}
