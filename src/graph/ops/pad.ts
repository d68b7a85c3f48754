import { defineOp } from '../opDefinition.js';
import { formatShape, type Dim } from '../shape.js';
import type { Value } from '../value.js';
import { concat, flip, slice, TO_END } from './shape.js';

export type PadMode = 'constant' | 'reflect' | 'edge';

export const PadOp = defineOp({
  type: 'Pad',
  gradient: ({ node, inputs: [x], gradOutputs: [dy] }) => {
    const pads = node.meta.pads as number[];
    const rank = x!.rank;
    const axes = [...Array(rank).keys()].filter((a) => pads[a] !== 0 || pads[rank + a] !== 0);
    const starts = axes.map((a) => pads[a]);
    const ends = axes.map((a) => (pads[rank + a] === 0 ? TO_END : -pads[rank + a]));
    return [slice(dy!, starts, ends, axes), undefined];
  },
});

function paddedShape(x: Value, pads: readonly number[]): Dim[] {
  return x.shape.map((d, i) => {
    const extra = pads[i] + pads[x.rank + i];
    if (extra === 0) return d;
    return typeof d === 'number' ? d + extra : `${d}+${extra}`;
  });
}

/**
 * Pad with ONNX's layout of `pads` ([begin of each axis..., end of each axis...]). Zero padding is an
 * ONNX Pad; 'reflect' and 'edge' are built from slices and concatenations so that their gradients (and
 * gradients of those) come from the Slice and Concat rules.
 */
export function pad(x: Value, pads: readonly number[], mode: PadMode = 'constant'): Value {
  if (pads.length !== 2 * x.rank || pads.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new RangeError(`Pad: pads must be ${2 * x.rank} non-negative integers for ${formatShape(x.shape)}, got ${formatShape(pads)}`);
  }
  if (mode === 'constant') {
    return x.graph.addNode(PadOp, [x, x.graph.int64s(pads)], { mode: 'constant' }, [{ dtype: x.dtype, shape: paddedShape(x, pads) }], {
      pads: [...pads],
    })[0];
  }
  let out = x;
  for (let axis = 0; axis < x.rank; axis++) {
    const before = pads[axis];
    const after = pads[x.rank + axis];
    if (before === 0 && after === 0) continue;
    const length = out.shape[axis];
    if (mode === 'reflect' && typeof length === 'number' && (before >= length || after >= length)) {
      throw new RangeError(`Pad: reflect padding of ${Math.max(before, after)} needs more than ${length} elements on axis ${axis}`);
    }
    const parts: Value[] = [];
    // reflect mirrors without repeating the edge (x[1], x[0] | x[0] ...); edge repeats x[0].
    const offset = mode === 'reflect' ? 1 : 0;
    if (before > 0) {
      const piece = mode === 'edge' ? repeatEdge(out, axis, 0, before) : flip(slice(out, [offset], [offset + before], [axis]), [axis]);
      parts.push(piece);
    }
    parts.push(out);
    if (after > 0) {
      const piece = mode === 'edge' ? repeatEdge(out, axis, -1, after) : flip(slice(out, [-offset - after], [-offset || TO_END], [axis]), [axis]);
      parts.push(piece);
    }
    out = concat(parts, axis);
  }
  return out;
}

function repeatEdge(x: Value, axis: number, index: number, count: number): Value {
  const edge = slice(x, [index], [index === -1 ? TO_END : index + 1], [axis]);
  return count === 1 ? edge : concat(new Array<Value>(count).fill(edge), axis);
}
