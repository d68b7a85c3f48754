import { add, div, mul, pow, sub } from '../../graph/ops/elementwise.js';
import type { Value } from '../../graph/value.js';
import { maximum, minimum } from './inferenceOps.js';
import { requireInputCount, type LayerConverter } from './layerContext.js';

/** ncnn BinaryOp's op_type (parameter 0); the r-forms swap the operands. */
const BINARY_OPS: readonly ((a: Value, b: Value) => Value)[] = [
  add,
  sub,
  mul,
  div,
  maximum,
  minimum,
  pow,
  (a, b) => sub(b, a),
  (a, b) => div(b, a),
  (a, b) => pow(b, a),
];

const BINARY_OP_NAMES = 'add, sub, mul, div, max, min, pow, rsub, rdiv, rpow';

/** Two blobs broadcast against each other (numpy rules for blobs of one rank), or one blob and the scalar b. */
export const binaryOpLayer: LayerConverter = (context) => {
  const type = context.params.int(0, 0);
  const op = BINARY_OPS[type];
  if (!op) context.fail(`BinaryOp op_type ${type} is not supported (supported: 0-9, ${BINARY_OP_NAMES})`);
  const withScalar = context.params.int(1, 0) !== 0;
  requireInputCount(context, withScalar ? 1 : 2);
  const [a] = context.inputs;
  const b = withScalar ? a.graph.scalar(context.params.float(2, 0)) : context.inputs[1];
  return [op(a, b)];
};

/** ncnn Eltwise over two or more blobs of one shape: 0 product, 1 sum (weighted by coeffs if given), 2 maximum. */
export const eltwiseLayer: LayerConverter = (context) => {
  const { inputs } = context;
  if (inputs.length < 2) context.fail(`expects at least 2 input blobs, has ${inputs.length}`);
  const type = context.params.int(0, 0);
  switch (type) {
    case 0:
      return [inputs.reduce((a, b) => mul(a, b))];
    case 1: {
      const coeffs = context.params.array(1);
      if (coeffs.length === 0) return [inputs.reduce((a, b) => add(a, b))];
      if (coeffs.length !== inputs.length) context.fail(`has ${coeffs.length} coefficients for ${inputs.length} inputs`);
      // A coefficient of 1 (as in RRDBNet's residual sums) needs no multiplication.
      const terms = inputs.map((x, i) => (coeffs[i] === 1 ? x : mul(x, coeffs[i])));
      return [terms.reduce((a, b) => add(a, b))];
    }
    case 2:
      return [inputs.reduce((a, b) => maximum(a, b))];
    default:
      return context.fail(`Eltwise op_type ${type} is not supported (supported: 0 product, 1 sum, 2 max)`);
  }
};
