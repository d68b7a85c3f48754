import { prelu as preluOp } from '../graph/ops/activations.js';
import { reshape } from '../graph/ops/shape.js';
import type { Value } from '../graph/value.js';
import type { BuildContext } from './buildContext.js';
import { constantInit } from './init.js';

/** torch.nn.PReLU(num_parameters, init=0.25) on NCHW: parameter `<name>.weight` [num_parameters]. */
export function prelu(ctx: BuildContext, name: string, x: Value, numParameters = 1): Value {
  const weight = ctx.child(name).parameter('weight', [numParameters], 1, constantInit(0.25));
  return preluOp(x, numParameters === 1 ? weight : reshape(weight, [numParameters, 1, 1]));
}
