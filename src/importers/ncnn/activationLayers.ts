import { leakyRelu, prelu, relu, sigmoid } from '../../graph/ops/activations.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import { clip } from './inferenceOps.js';
import { channelsOf, requireInputCount, type LayerContext, type LayerConverter } from './layerContext.js';

/** ncnn's ReLU with a slope is a leaky ReLU (x < 0 ? slope * x : x). */
function reluWithSlope(x: Value, slope: number): Value {
  return slope === 0 ? relu(x) : leakyRelu(x, slope);
}

/** ncnn's Clip defaults: no bound on either side. */
const FLT_MAX = 3.4028234663852886e38;

/**
 * The activation a Convolution or Deconvolution applies to its own output (ncnn's fused_activation.h):
 * parameter 9 is the type, parameter 10 its arguments.
 */
export function fusedActivation(context: LayerContext, x: Value): Value {
  const type = context.params.int(9, 0);
  const args = context.params.array(10);
  const needArgs = (count: number) => {
    if (args.length < count) context.fail(`activation_type ${type} needs ${count} value(s) in parameter 10, has ${args.length}`);
  };
  switch (type) {
    case 0:
      return x;
    case 1:
      return relu(x);
    case 2:
      needArgs(1);
      return reluWithSlope(x, args[0]);
    case 3:
      needArgs(2);
      return clip(x, args[0], args[1]);
    case 4:
      return sigmoid(x);
    default:
      return context.fail(`activation_type ${type} is not supported (supported: 0 none, 1 ReLU, 2 leaky ReLU, 3 clip, 4 sigmoid)`);
  }
}

export const reluLayer: LayerConverter = (context) => {
  requireInputCount(context, 1);
  return [reluWithSlope(context.inputs[0], context.params.float(0, 0))];
};

/** One slope for all channels (num_slope 1) or one per channel, read from the .bin. */
export const preluLayer: LayerConverter = (context) => {
  requireInputCount(context, 1);
  const x = context.inputs[0];
  const count = context.params.int(0, 0);
  const channels = channelsOf(context, x);
  if (count !== 1 && count !== channels) context.fail(`has ${count} slopes for ${channels} channels`);
  const slopes = context.weights.rawFloats(count, context.layer.name, 'slopes');
  return [prelu(x, x.graph.constant(float32Tensor(slopes, count === 1 ? [1] : [count, 1, 1])))];
};

export const sigmoidLayer: LayerConverter = (context) => {
  requireInputCount(context, 1);
  return [sigmoid(context.inputs[0])];
};

export const clipLayer: LayerConverter = (context) => {
  requireInputCount(context, 1);
  return [clip(context.inputs[0], context.params.float(0, -FLT_MAX), context.params.float(1, FLT_MAX))];
};
