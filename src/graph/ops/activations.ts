import { requireFloat } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { broadcastShapes, formatShape } from '../shape.js';
import type { Value } from '../value.js';
import { sumToShape } from './broadcast.js';
import { greater, where } from './compare.js';
import { add, erf, mul, sub } from './elementwise.js';

function unary(op: ReturnType<typeof defineOp>, x: Value, attributes = {}): Value {
  requireFloat(op.type, x);
  return x.graph.addNode(op, [x], attributes, [{ dtype: 'float32', shape: x.shape }])[0];
}

export const ReluOp = defineOp({
  type: 'Relu',
  gradient: ({ inputs: [x], gradOutputs: [dy] }) => [where(greater(x!, 0), dy!, 0)],
});

export const LeakyReluOp = defineOp({
  type: 'LeakyRelu',
  gradient: ({ node, inputs: [x], gradOutputs: [dy] }) => {
    const alpha = (node.attributes.alpha as { float: number }).float;
    // dy times a slope mask (1 or alpha) rather than a Where between dy and alpha*dy: the gradient of
    // this gradient (WGAN-GP's penalty) is then one Mul by the same mask, not two full-size Wheres.
    return [mul(dy!, where(greater(x!, 0), 1, alpha))];
  },
});

export const PReluOp = defineOp({
  type: 'PRelu',
  gradient: ({ inputs: [x, slope], gradOutputs: [dy], needsGrad }) => {
    const positive = greater(x!, 0);
    return [
      needsGrad[0] ? where(positive, dy!, mul(dy!, slope!)) : undefined,
      needsGrad[1] ? sumToShape(where(positive, 0, mul(dy!, x!)), slope!.shape) : undefined,
    ];
  },
});

export const SigmoidOp = defineOp({
  type: 'Sigmoid',
  gradient: ({ outputs: [y], gradOutputs: [dy] }) => [mul(dy!, mul(y, sub(1, y)))],
});

export const TanhOp = defineOp({
  type: 'Tanh',
  gradient: ({ outputs: [y], gradOutputs: [dy] }) => [mul(dy!, sub(1, mul(y, y)))],
});

export const SoftplusOp = defineOp({
  type: 'Softplus',
  gradient: ({ inputs: [x], gradOutputs: [dy] }) => [mul(dy!, sigmoid(x!))],
});

export const relu = (x: Value): Value => unary(ReluOp, x);
export const leakyRelu = (x: Value, alpha = 0.01): Value => unary(LeakyReluOp, x, { alpha: { float: alpha } });
export const sigmoid = (x: Value): Value => unary(SigmoidOp, x);
export const tanh = (x: Value): Value => unary(TanhOp, x);
export const softplus = (x: Value): Value => unary(SoftplusOp, x);

/** x * sigmoid(x) (SiLU, Swish): opset 17 has no op of its own, and the product differentiates as it is. */
export const silu = (x: Value): Value => mul(x, sigmoid(x));

/** GELU in its exact erf form, as torch.nn.GELU(): x/2 (1 + erf(x / sqrt 2)). */
export const gelu = (x: Value): Value => mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));

/** Mish (Misra 2019): x * tanh(softplus(x)). */
export const mish = (x: Value): Value => mul(x, tanh(softplus(x)));

/** Parametric ReLU: x where x > 0, slope * x elsewhere; `slope` broadcasts (e.g. [C, 1, 1] per channel). */
export function prelu(x: Value, slope: Value): Value {
  requireFloat('PRelu', x, slope);
  if (!broadcastShapes(x.shape, slope.shape)) {
    throw new RangeError(`PRelu: slope ${formatShape(slope.shape)} does not broadcast to ${formatShape(x.shape)}`);
  }
  return x.graph.addNode(PReluOp, [x, slope], {}, [{ dtype: 'float32', shape: x.shape }])[0];
}
