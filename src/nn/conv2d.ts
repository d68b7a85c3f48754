import { conv } from '../graph/ops/conv.js';
import type { Value } from '../graph/value.js';
import type { BuildContext } from './buildContext.js';
import { pytorchDefault, type Initializer } from './init.js';

export interface Conv2dOptions {
  kernel: number;
  stride?: number;
  /** Zero padding on every side; default kernel/2 (size-preserving for odd kernels at stride 1). */
  padding?: number;
  dilation?: number;
  groups?: number;
  bias?: boolean;
  /** Weight initialisation; default PyTorch's. Biases use PyTorch's default, or zeros with a custom weight init (BasicSR). */
  init?: Initializer;
}

/** torch.nn.Conv2d: parameters `<name>.weight` [out, in/groups, k, k] and `<name>.bias` [out]. */
export function conv2d(ctx: BuildContext, name: string, x: Value, inChannels: number, outChannels: number, options: Conv2dOptions): Value {
  const { kernel } = options;
  const groups = options.groups ?? 1;
  const padding = options.padding ?? Math.floor(kernel / 2);
  const stride = options.stride ?? 1;
  const dilation = options.dilation ?? 1;
  const fanIn = (inChannels / groups) * kernel * kernel;
  const scope = ctx.child(name);
  const weight = scope.parameter('weight', [outChannels, inChannels / groups, kernel, kernel], fanIn, options.init ?? pytorchDefault);
  const bias =
    options.bias === false
      ? undefined
      : scope.parameter('bias', [outChannels], fanIn, options.init ? (size) => new Float32Array(size) : pytorchDefault);
  return conv(x, weight, bias, {
    strides: [stride, stride],
    pads: [padding, padding, padding, padding],
    dilations: [dilation, dilation],
    group: groups,
  });
}
