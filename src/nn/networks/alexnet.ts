import type { TensorData } from '../../graph/tensorData.js';
import type { StateDict } from '../buildContext.js';
import { Random } from '../random.js';
import {
  checkFeatureWeights,
  convsOf,
  featureExtractor,
  stateFromConvSequence,
  widthDivisorOf,
  type FeatureConv,
  type FeatureExtractor,
  type FeatureLayer,
} from './torchvisionFeatures.js';

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
export type AlexnetLayer = FeatureLayer;

/** The modules of `features` in order; `widthDivisor` narrows every conv (test networks). */
export function alexnetLayers(widthDivisor = 1): AlexnetLayer[] {
  const layers: AlexnetLayer[] = [];
  let channels = 3;
  CONVS.forEach(({ index, width, kernel, stride, padding }, c) => {
    const outChannels = width / widthDivisor;
    if (!Number.isInteger(outChannels)) throw new RangeError(`alexnetLayers: width divisor ${widthDivisor} does not divide ${width}`);
    layers.push({ kind: 'conv', index, name: `conv${c + 1}`, inChannels: channels, outChannels, kernel, stride, padding });
    layers.push({ kind: 'relu', index: index + 1, name: `relu${c + 1}` });
    if (POOLED_AFTER.has(c + 1)) layers.push({ kind: 'pool', index: index + 2, name: `pool${c + 1}`, kernel: 3, stride: 2 });
    channels = outChannels;
  });
  return layers;
}

export function alexnetConvs(widthDivisor = 1): FeatureConv[] {
  return convsOf(alexnetLayers(widthDivisor));
}

/**
 * Check that `state` holds every conv of `features` with the right shapes (other keys, such as
 * torchvision's `classifier.*`, are ignored). The error names the layer and what was found.
 */
export function checkAlexnetWeights(state: StateDict, options: { widthDivisor?: number; file?: string } = {}): void {
  checkFeatureWeights(state, 'alexnet', alexnetConvs(options.widthDivisor), options.file);
}

/**
 * torchvision names for AlexNet's five convs given in network order (an ONNX export of torchvision's
 * model, whose initializer names may differ). Shapes are checked afterwards.
 */
export function alexnetStateFromConvSequence(convs: readonly { weight: TensorData; bias?: TensorData }[]): StateDict {
  return stateFromConvSequence(convs, 'alexnet', alexnetConvs());
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
export type AlexnetFeatureExtractor = FeatureExtractor;

/**
 * An AlexNet whose weights are graph constants. The returned function runs `features` on an input up
 * to the deepest requested layer; calling it on several inputs shares one copy of the weights.
 */
export function alexnetFeatureExtractor(weights: StateDict, options: { file?: string } = {}): AlexnetFeatureExtractor {
  const widthDivisor = widthDivisorOf(weights, 'alexnet', alexnetConvs()[0]);
  return featureExtractor('alexnet', weights, alexnetLayers(widthDivisor), options.file);
}
