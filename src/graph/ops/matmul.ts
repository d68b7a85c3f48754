import { graphOf, requireFloat } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { broadcastShapes, formatShape, type Dim } from '../shape.js';
import type { Value } from '../value.js';
import { sumToShape } from './broadcast.js';
import { mul } from './elementwise.js';
import { transpose } from './shape.js';

/** Swap the last two axes. */
export function transposeLast2(x: Value): Value {
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

export const MatMulOp = defineOp({
  type: 'MatMul',
  gradient: ({ inputs: [a, b], gradOutputs: [dy], needsGrad }) => [
    needsGrad[0] ? sumToShape(matmul(dy!, transposeLast2(b!)), a!.shape) : undefined,
    needsGrad[1] ? sumToShape(matmul(transposeLast2(a!), dy!), b!.shape) : undefined,
  ],
});

/** Batched matrix product [..., M, K] x [..., K, N] -> [..., M, N] (leading axes broadcast). */
export function matmul(a: Value, b: Value): Value {
  graphOf('MatMul', a, b);
  requireFloat('MatMul', a, b);
  if (a.rank < 2 || b.rank < 2) throw new RangeError(`MatMul: both operands need rank >= 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const k1 = a.shape[a.rank - 1];
  const k2 = b.shape[b.rank - 2];
  if (typeof k1 === 'number' && typeof k2 === 'number' && k1 !== k2) {
    throw new RangeError(`MatMul: inner dimensions differ: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  if (!batch) throw new RangeError(`MatMul: batch dimensions of ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast`);
  const shape: Dim[] = [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]];
  return a.graph.addNode(MatMulOp, [a, b], {}, [{ dtype: 'float32', shape }])[0];
}

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

export const GemmOp = defineOp({
  type: 'Gemm',
  gradient: ({ node, inputs: [a, b, c], gradOutputs: [dy], needsGrad }) => {
    const { transA, transB, alpha, beta } = node.meta as Required<GemmOptions>;
    const ea = transA ? transposeLast2(a!) : a!;
    const eb = transB ? transposeLast2(b!) : b!;
    const scaled = alpha === 1 ? dy! : mul(dy!, alpha);
    const dEa = needsGrad[0] ? matmul(scaled, transposeLast2(eb)) : undefined;
    const dEb = needsGrad[1] ? matmul(transposeLast2(ea), scaled) : undefined;
    return [
      dEa && (transA ? transposeLast2(dEa) : dEa),
      dEb && (transB ? transposeLast2(dEb) : dEb),
      c && needsGrad[2] ? sumToShape(beta === 1 ? dy! : mul(dy!, beta), c.shape) : undefined,
    ];
  },
});

/** alpha * A' B' + beta * C with A' = A or its transpose (2-D), as ONNX Gemm (a dense layer). */
export function gemm(a: Value, b: Value, c?: Value, options: GemmOptions = {}): Value {
  const o = { transA: false, transB: false, alpha: 1, beta: 1, ...options };
  graphOf('Gemm', a, b, c);
  if (a.rank !== 2 || b.rank !== 2) throw new RangeError(`Gemm: A and B must be 2-D, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const [m, ka] = o.transA ? [a.shape[1], a.shape[0]] : a.shape;
  const [kb, n] = o.transB ? [b.shape[1], b.shape[0]] : b.shape;
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb) {
    throw new RangeError(`Gemm: inner dimensions differ: ${formatShape(a.shape)}${o.transA ? 'ᵀ' : ''} x ${formatShape(b.shape)}${o.transB ? 'ᵀ' : ''}`);
  }
  if (c && !broadcastShapes([m, n], c.shape)) throw new RangeError(`Gemm: C ${formatShape(c.shape)} does not broadcast to [${m}, ${n}]`);
  return a.graph.addNode(
    GemmOp,
    c ? [a, b, c] : [a, b],
    { transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0, alpha: { float: o.alpha }, beta: { float: o.beta } },
    [{ dtype: 'float32', shape: [m, n] }],
    o,
  )[0];
}

/** x W^T + b for x [N, in], W [out, in] (a PyTorch Linear). */
export function linear(x: Value, weight: Value, bias?: Value): Value {
  return gemm(x, weight, bias, { transB: true });
}
