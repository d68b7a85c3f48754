import { EnhanceError } from '../../errors.js';
import { relu } from '../../graph/ops/activations.js';
import { conv } from '../../graph/ops/conv.js';
import { maxPool } from '../../graph/ops/pool.js';
import type { TensorData } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { StateDict } from '../buildContext.js';
import { sharedConstants } from '../sharedConstants.js';
import { Random } from '../random.js';

/**
 * AlexNet's convolutional part (Krizhevsky et al. 2012, in torchvision's single-tower "one weird trick"
 * form, `alexnet-owt-7be5be79.pth`): one `features` Sequential, so its parameters are
 * `features.<index>.weight` / `.bias`. Only the features are built: LPIPS reads the five ReLU outputs.
 */

/** The convs of `features`: torchvision index, output width, kernel, stride and padding. */
const CONVS = [
  { index: 0, width: 64, kernel: 11, stride: 4, padding: 2 },
  { index: 3, width: 192, kernel: 5, stride: 1, padding: 2 },
  { index: 6, width: 384, kernel: 3, stride: 1, padding: 1 },
  { index: 8, width: 256, kernel: 3, stride: 1, padding: 1 },
  { index: 10, width: 256, kernel: 3, stride: 1, padding: 1 },
] as const;

/** 3x3 max pools with stride 2 follow these ReLUs. */
const POOLED_AFTER = new Set([1, 2, 5]);

/** One module of `features`, at its torchvision index; conv<k>, relu<k>, pool<k> number them from 1. */
export type AlexnetLayer =
  | { kind: 'conv'; index: number; name: string; inChannels: number; outChannels: number; kernel: number; stride: number; padding: number }
  | { kind: 'relu'; index: number; name: string }
  | { kind: 'pool'; index: number; name: string };

type AlexnetConv = Extract<AlexnetLayer, { kind: 'conv' }>;

/** The modules of `features` in order; `widthDivisor` narrows every conv (test networks). */
export function alexnetLayers(widthDivisor = 1): AlexnetLayer[] {
  const layers: AlexnetLayer[] = [];
  let channels = 3;
  CONVS.forEach(({ index, width, kernel, stride, padding }, c) => {
    const outChannels = width / widthDivisor;
    if (!Number.isInteger(outChannels)) throw new RangeError(`alexnetLayers: width divisor ${widthDivisor} does not divide ${width}`);
    layers.push({ kind: 'conv', index, name: `conv${c + 1}`, inChannels: channels, outChannels, kernel, stride, padding });
    layers.push({ kind: 'relu', index: index + 1, name: `relu${c + 1}` });
    if (POOLED_AFTER.has(c + 1)) layers.push({ kind: 'pool', index: index + 2, name: `pool${c + 1}` });
    channels = outChannels;
  });
  return layers;
}

export function alexnetConvs(widthDivisor = 1): AlexnetConv[] {
  return alexnetLayers(widthDivisor).filter((layer): layer is AlexnetConv => layer.kind === 'conv');
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Check that `state` holds every conv of `features` with the right shapes (other keys, such as
 * torchvision's `classifier.*`, are ignored). The error names the layer and what was found.
 */
export function checkAlexnetWeights(state: StateDict, options: { widthDivisor?: number; file?: string } = {}): void {
  for (const layer of alexnetConvs(options.widthDivisor)) {
    const expected = {
      weight: [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel],
      bias: [layer.outChannels],
    };
    for (const [part, shape] of Object.entries(expected)) {
      const key = `features.${layer.index}.${part}`;
      const found = state.get(key);
      const needs = `alexnet needs [${shape.join(', ')}]`;
      if (!found) throw new EnhanceError(`has no ${key} (${layer.name} ${part}); ${needs}`, { file: options.file });
      if (found.dtype !== 'float32') throw new EnhanceError(`${key} (${layer.name} ${part}) holds ${found.dtype} values, not floats`, { file: options.file });
      if (!sameShape(found.shape, shape)) throw new EnhanceError(`${key} (${layer.name} ${part}) is [${found.shape.join(', ')}], ${needs}`, { file: options.file });
    }
  }
}

/**
 * torchvision names for AlexNet's five convs given in network order (an ONNX export of torchvision's
 * model, whose initializer names may differ). Shapes are checked afterwards.
 */
export function alexnetStateFromConvSequence(convs: readonly { weight: TensorData; bias?: TensorData }[]): StateDict {
  const layers = alexnetConvs();
  if (convs.length !== layers.length) throw new EnhanceError(`has ${convs.length} convolutions, alexnet has ${layers.length}`);
  const state: StateDict = new Map();
  convs.forEach(({ weight, bias }, k) => {
    state.set(`features.${layers[k].index}.weight`, weight);
    if (bias) state.set(`features.${layers[k].index}.bias`, bias);
  });
  return state;
}

/** The width divisor of a (possibly narrowed) AlexNet state dict, read from its first conv: 1 for the real network. */
function widthDivisorOf(state: StateDict): number {
  const first = state.get('features.0.weight');
  const divisor = first && first.shape.length === 4 && first.shape[0] > 0 ? 64 / first.shape[0] : 1;
  if (!Number.isInteger(divisor)) throw new EnhanceError(`features.0.weight (conv1 weight) is [${first!.shape.join(', ')}], alexnet needs [64, 3, 11, 11]`);
  return divisor;
}

/**
 * PyTorch's default Conv2d initialisation, which torchvision's AlexNet keeps: weights and biases
 * uniform in +-1/sqrt(fan in). Seeded, so `random:<seed>` weights are the same on every machine;
 * random features are no perceptual metric, they exist for tests.
 */
export function randomAlexnetWeights(seed: number, widthDivisor = 1): StateDict {
  const random = new Random(seed);
  const state: StateDict = new Map();
  for (const layer of alexnetConvs(widthDivisor)) {
    const fanIn = layer.inChannels * layer.kernel * layer.kernel;
    const bound = 1 / Math.sqrt(fanIn);
    const weight = Float32Array.from({ length: layer.outChannels * fanIn }, () => random.uniform(-bound, bound));
    const bias = Float32Array.from({ length: layer.outChannels }, () => random.uniform(-bound, bound));
    state.set(`features.${layer.index}.weight`, { dtype: 'float32', shape: [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel], data: weight });
    state.set(`features.${layer.index}.bias`, { dtype: 'float32', shape: [layer.outChannels], data: bias });
  }
  return state;
}

/** The activations of the named layers (conv1..5, relu1..5, pool1, pool2, pool5), keyed by name. */
export type AlexnetFeatureExtractor = (x: Value, layers: readonly string[]) => Map<string, Value>;

/**
 * An AlexNet whose weights are graph constants. The returned function runs `features` on an input up
 * to the deepest requested layer; calling it on several inputs shares one copy of the weights.
 */
export function alexnetFeatureExtractor(weights: StateDict, options: { file?: string } = {}): AlexnetFeatureExtractor {
  const widthDivisor = widthDivisorOf(weights);
  checkAlexnetWeights(weights, { widthDivisor, file: options.file });
  const layers = alexnetLayers(widthDivisor);
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const constantsOf = sharedConstants(weights);

  return (x, requested) => {
    const unknown = requested.filter((name) => !byName.has(name));
    if (unknown.length > 0 || requested.length === 0) {
      throw new EnhanceError(`alexnet has no layer ${unknown.join(', ') || '(none chosen)'}; its layers are ${layers.map((layer) => layer.name).join(', ')}`);
    }
    const constant = constantsOf(x.graph);
    const last = Math.max(...requested.map((name) => layers.indexOf(byName.get(name)!)));
    const wanted = new Set(requested);
    const features = new Map<string, Value>();
    let h = x;
    for (const layer of layers.slice(0, last + 1)) {
      if (layer.kind === 'conv') {
        const prefix = `features.${layer.index}`;
        const { stride, padding } = layer;
        h = conv(h, constant(`${prefix}.weight`), constant(`${prefix}.bias`), { strides: [stride, stride], pads: [padding, padding, padding, padding] });
      } else if (layer.kind === 'relu') {
        h = relu(h);
      } else {
        h = maxPool(h, [3, 3], [2, 2]);
      }
      if (wanted.has(layer.name)) features.set(layer.name, h);
    }
    return features;
  };
}
