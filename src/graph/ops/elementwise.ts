import { graphOf, requireFloat } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { broadcastShapes, formatShape } from '../shape.js';
import type { Value } from '../value.js';
import { sumToShape } from './broadcast.js';

/** A number operand becomes a float32 scalar constant of the other operand's graph. */
export type Operand = Value | number;

function binaryOperands(op: string, a: Operand, b: Operand): [Value, Value] {
  if (typeof a === 'number' && typeof b === 'number') throw new TypeError(`${op}: at least one operand must be a graph value`);
  const graph = graphOf(op, typeof a === 'number' ? undefined : a, typeof b === 'number' ? undefined : b);
  const va = typeof a === 'number' ? graph.scalar(a) : a;
  const vb = typeof b === 'number' ? graph.scalar(b) : b;
  requireFloat(op, va, vb);
  return [va, vb];
}

function binary(op: ReturnType<typeof defineOp>, a: Operand, b: Operand): Value {
  const [va, vb] = binaryOperands(op.type, a, b);
  const shape = broadcastShapes(va.shape, vb.shape);
  if (!shape) throw new RangeError(`${op.type}: shapes ${formatShape(va.shape)} and ${formatShape(vb.shape)} do not broadcast`);
  return va.graph.addNode(op, [va, vb], {}, [{ dtype: 'float32', shape }])[0];
}

function unary(op: ReturnType<typeof defineOp>, x: Value): Value {
  requireFloat(op.type, x);
  return x.graph.addNode(op, [x], {}, [{ dtype: 'float32', shape: x.shape }])[0];
}

export const AddOp = defineOp({
  type: 'Add',
  gradient: ({ inputs: [a, b], gradOutputs: [dy], needsGrad }) => [
    needsGrad[0] ? sumToShape(dy!, a!.shape) : undefined,
    needsGrad[1] ? sumToShape(dy!, b!.shape) : undefined,
  ],
});

export const SubOp = defineOp({
  type: 'Sub',
  gradient: ({ inputs: [a, b], gradOutputs: [dy], needsGrad }) => [
    needsGrad[0] ? sumToShape(dy!, a!.shape) : undefined,
    needsGrad[1] ? sumToShape(neg(dy!), b!.shape) : undefined,
  ],
});

export const MulOp = defineOp({
  type: 'Mul',
  gradient: ({ inputs: [a, b], gradOutputs: [dy], needsGrad }) => [
    needsGrad[0] ? sumToShape(mul(dy!, b!), a!.shape) : undefined,
    needsGrad[1] ? sumToShape(mul(dy!, a!), b!.shape) : undefined,
  ],
});

export const DivOp = defineOp({
  type: 'Div',
  gradient: ({ inputs: [a, b], outputs: [y], gradOutputs: [dy], needsGrad }) => [
    needsGrad[0] ? sumToShape(div(dy!, b!), a!.shape) : undefined,
    // d(a/b)/db = -a/b^2 = -y/b
    needsGrad[1] ? sumToShape(neg(div(mul(dy!, y), b!)), b!.shape) : undefined,
  ],
});

export const PowOp = defineOp({
  type: 'Pow',
  gradient: ({ inputs: [x, p], outputs: [y], gradOutputs: [dy], needsGrad }) => [
    needsGrad[0] ? sumToShape(mul(dy!, mul(p!, pow(x!, sub(p!, 1)))), x!.shape) : undefined,
    needsGrad[1] ? sumToShape(mul(dy!, mul(y, log(x!))), p!.shape) : undefined,
  ],
});

export const NegOp = defineOp({ type: 'Neg', gradient: ({ gradOutputs: [dy] }) => [neg(dy!)] });
export const ExpOp = defineOp({ type: 'Exp', gradient: ({ outputs: [y], gradOutputs: [dy] }) => [mul(dy!, y)] });
export const LogOp = defineOp({ type: 'Log', gradient: ({ inputs: [x], gradOutputs: [dy] }) => [div(dy!, x!)] });
export const SqrtOp = defineOp({ type: 'Sqrt', gradient: ({ outputs: [y], gradOutputs: [dy] }) => [div(dy!, mul(y, 2))] });
export const AbsOp = defineOp({ type: 'Abs', gradient: ({ inputs: [x], gradOutputs: [dy] }) => [mul(dy!, sign(x!))] });
/** Sign is piecewise constant: its derivative is zero where it exists. */
export const SignOp = defineOp({ type: 'Sign', constantOutput: true });
/** d erf(x) / dx = 2 / sqrt(pi) * exp(-x^2). */
export const ErfOp = defineOp({ type: 'Erf', gradient: ({ inputs: [x], gradOutputs: [dy] }) => [mul(dy!, mul(exp(neg(mul(x!, x!))), 2 / Math.sqrt(Math.PI)))] });
/** Identity that `grad` treats as a constant (PyTorch's `detach`): values computed under no_grad. */
export const StopGradientOp = defineOp({ type: 'Identity', constantOutput: true });

export const add = (a: Operand, b: Operand): Value => binary(AddOp, a, b);
export const sub = (a: Operand, b: Operand): Value => binary(SubOp, a, b);
export const mul = (a: Operand, b: Operand): Value => binary(MulOp, a, b);
export const div = (a: Operand, b: Operand): Value => binary(DivOp, a, b);
export const pow = (x: Value, exponent: Operand): Value => binary(PowOp, x, exponent);
export const neg = (x: Value): Value => unary(NegOp, x);
export const exp = (x: Value): Value => unary(ExpOp, x);
export const log = (x: Value): Value => unary(LogOp, x);
export const sqrt = (x: Value): Value => unary(SqrtOp, x);
export const abs = (x: Value): Value => unary(AbsOp, x);
export const erf = (x: Value): Value => unary(ErfOp, x);
export const sign = (x: Value): Value => unary(SignOp, x);
export const stopGradient = (x: Value): Value => unary(StopGradientOp, x);
