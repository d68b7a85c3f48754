import { linear as linearOp } from '../graph/ops/matmul.js';
import type { Value } from '../graph/value.js';
import type { BuildContext } from './buildContext.js';
import { pytorchDefault } from './init.js';

/** torch.nn.Linear on [N, in]: parameters `<name>.weight` [out, in] and `<name>.bias` [out]. */
export function linear(ctx: BuildContext, name: string, x: Value, inFeatures: number, outFeatures: number, bias = true): Value {
  const scope = ctx.child(name);
  const weight = scope.parameter('weight', [outFeatures, inFeatures], inFeatures, pytorchDefault);
  const b = bias ? scope.parameter('bias', [outFeatures], inFeatures, pytorchDefault) : undefined;
  return linearOp(x, weight, b);
}
