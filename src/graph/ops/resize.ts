import { requireFloat, requireRank } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { formatShape, scaleDim } from '../shape.js';
import { float32Tensor } from '../tensorData.js';
import type { Value } from '../value.js';
import { add, mul } from './elementwise.js';
import { pad } from './pad.js';
import { averagePool } from './pool.js';
import { concat, reshape, slice, unsqueeze } from './shape.js';

export const ResizeOp = defineOp({
  type: 'Resize',
  gradient: ({ node, gradOutputs: [dy] }) => {
    const [fh, fw] = node.meta.factors as [number, number];
    // Nearest upsampling by integer factors copies each pixel into an fh x fw block: its adjoint sums the block.
    return [mul(averagePool(dy!, [fh, fw]), fh * fw), undefined, undefined];
  },
});

/**
 * Nearest-neighbour upsampling by integer factors (asymmetric coordinates, floor), identical to
 * PyTorch's `F.interpolate(mode='nearest')`.
 */
export function resizeNearest(x: Value, factors: readonly [number, number]): Value {
  requireFloat('Resize', x);
  requireRank('Resize', x, 4);
  if (!factors.every((f) => Number.isInteger(f) && f >= 1)) throw new RangeError(`Resize: factors must be positive integers, got ${formatShape(factors)}`);
  const graph = x.graph;
  const scales = graph.constant(float32Tensor([1, 1, factors[0], factors[1]], [4]));
  const shape = [x.shape[0], x.shape[1], scaleDim(x.shape[2], factors[0]), scaleDim(x.shape[3], factors[1])];
  return graph.addNode(
    ResizeOp,
    [x, undefined, scales],
    { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' },
    [{ dtype: 'float32', shape }],
    { factors: [...factors] },
  )[0];
}

/**
 * Bilinear upsampling by an integer factor with half-pixel centres and edge clamping, identical to
 * ONNX Resize 'linear' / PyTorch `align_corners=False`. Built from slices, weighted sums and an
 * interleave, so its gradient (and the gradient of that) come from those ops' rules. Needs static
 * height and width.
 */
export function resizeBilinear(x: Value, factor: number): Value {
  requireRank('ResizeBilinear', x, 4);
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`ResizeBilinear: factor must be a positive integer, got ${factor}`);
  if (factor === 1) return x;
  return upsampleAxis(upsampleAxis(x, 2, factor), 3, factor);
}

function upsampleAxis(x: Value, axis: 2 | 3, factor: number): Value {
  const length = x.shape[axis];
  if (typeof length !== 'number') throw new Error(`ResizeBilinear: axis ${axis} of ${formatShape(x.shape)} must be static`);
  const pads = [0, 0, 0, 0, 0, 0, 0, 0];
  pads[axis] = 1;
  pads[4 + axis] = 1;
  const padded = pad(x, pads, 'edge');
  const previous = slice(padded, [0], [length], [axis]);
  const current = slice(padded, [1], [length + 1], [axis]);
  const next = slice(padded, [2], [length + 2], [axis]);
  const phases: Value[] = [];
  for (let p = 0; p < factor; p++) {
    // Output pixel factor*i + p samples the input at i + t with t in (-0.5, 0.5).
    const t = (p + 0.5) / factor - 0.5;
    const phase = t < 0 ? add(mul(previous, -t), mul(current, 1 + t)) : t > 0 ? add(mul(current, 1 - t), mul(next, t)) : current;
    phases.push(unsqueeze(phase, [axis + 1]));
  }
  const interleaved = concat(phases, axis + 1);
  const dims = x.shape.map((d) => d as number);
  dims[axis] = length * factor;
  if (!dims.every((d) => typeof d === 'number')) throw new Error(`ResizeBilinear: needs a static shape, got ${formatShape(x.shape)}`);
  return reshape(interleaved, dims);
}
