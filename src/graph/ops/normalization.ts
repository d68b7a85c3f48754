import { requireFloat } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { formatShape } from '../shape.js';
import type { Value } from '../value.js';
import { sumToShape } from './broadcast.js';
import { add, div, mul, sqrt, sub } from './elementwise.js';
import { reduceMean } from './reduce.js';
import { reshape, reshapeLike } from './shape.js';

/** x normalised over `axes` (zero mean, unit variance, biased variance as PyTorch), from plain ops. */
function standardised(x: Value, axes: readonly number[], epsilon: number): { xhat: Value; inverseStd: Value } {
  const centred = sub(x, reduceMean(x, axes, true));
  const inverseStd = div(1, sqrt(add(reduceMean(mul(centred, centred), axes, true), epsilon)));
  return { xhat: mul(centred, inverseStd), inverseStd };
}

/**
 * The input gradient of a normalisation over `axes` given the gradient at x-hat:
 * dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / std. Written with ops that have rules.
 */
function standardisedGradient(x: Value, dxhat: Value, axes: readonly number[], epsilon: number): Value {
  const { xhat, inverseStd } = standardised(x, axes, epsilon);
  return mul(sub(sub(dxhat, reduceMean(dxhat, axes, true)), mul(xhat, reduceMean(mul(dxhat, xhat), axes, true))), inverseStd);
}

export const LayerNormalizationOp = defineOp({
  type: 'LayerNormalization',
  gradient: ({ node, inputs: [x, scale, bias], gradOutputs: [dy], needsGrad }) => {
    const epsilon = (node.attributes.epsilon as { float: number }).float;
    const axes = node.meta.axes as number[];
    const { xhat } = standardised(x!, axes, epsilon);
    return [
      needsGrad[0] ? standardisedGradient(x!, mul(dy!, scale!), axes, epsilon) : undefined,
      needsGrad[1] ? sumToShape(mul(dy!, xhat), scale!.shape) : undefined,
      bias && needsGrad[2] ? sumToShape(dy!, bias.shape) : undefined,
    ];
  },
});

/**
 * torch.nn.LayerNorm over the last `scale.rank` axes: ONNX LayerNormalization (opset 17), one fused
 * kernel in onnxruntime; its gradient is written with plain ops (so it has a second order too).
 */
export function layerNorm(x: Value, scale: Value, bias: Value | undefined, epsilon = 1e-5): Value {
  requireFloat('LayerNormalization', x, scale);
  const axis = x.rank - scale.rank;
  const trailing = x.shape.slice(axis);
  if (axis < 0 || scale.shape.some((d, i) => d !== trailing[i])) {
    throw new RangeError(`LayerNormalization: scale ${formatShape(scale.shape)} is not the trailing shape of ${formatShape(x.shape)}`);
  }
  const axes = [...Array(scale.rank).keys()].map((i) => axis + i);
  return x.graph.addNode(LayerNormalizationOp, bias ? [x, scale, bias] : [x, scale], { axis, epsilon: { float: epsilon } }, [{ dtype: 'float32', shape: x.shape }], { axes })[0];
}

/**
 * torch.nn.GroupNorm on NCHW: the channels in `groups` groups, each normalised over its channels and
 * all pixels, then a per-channel affine. From plain ops (opset 17's GroupNormalization is 18+ and
 * its affine is per group), so its gradient is their rules'.
 */
export function groupNorm(x: Value, groups: number, scale: Value, bias: Value, epsilon = 1e-5): Value {
  const c = x.shape[1];
  if (x.rank !== 4 || typeof c !== 'number' || c % groups !== 0) throw new RangeError(`GroupNorm: ${formatShape(x.shape)} does not split into ${groups} channel groups`);
  const { xhat } = standardised(reshape(x, [0, groups, -1]), [2], epsilon);
  return add(mul(reshapeLike(xhat, x), reshape(scale, [c, 1, 1])), reshape(bias, [c, 1, 1]));
}
