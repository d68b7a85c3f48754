import type { TensorData } from '../../graph/tensorData.js';
import type { StateDict } from '../buildContext.js';
import { Random } from '../random.js';
import {
  checkFeatureWeights,
  convsOf,
  featureExtractor,
  requireLayers,
  stateFromConvSequence,
  widthDivisorOf,
  type FeatureConv,
  type FeatureExtractor,
  type FeatureLayer,
} from './torchvisionFeatures.js';

/**
 * VGG16 and VGG19 feature extractors (Simonyan & Zisserman 2015) in torchvision's layout: one
 * `features` Sequential of 3x3 convs (padding 1), ReLUs and 2x2 max pools, so its parameters are
 * `features.<index>.weight` / `.bias` with the index of the conv in that Sequential. Activations are
 * named as BasicSR's perceptual loss names them: conv<block>_<n>, relu<block>_<n>, pool<block>.
 */
export type VggVariant = 'vgg16' | 'vgg19';

/** Output channels of the convs of each block (torchvision's configurations 'D' and 'E'). */
const BLOCKS: Record<VggVariant, readonly (readonly number[])[]> = {
  vgg16: [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]],
  vgg19: [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]],
};

/** One module of `features`, at its torchvision index. */
export type VggLayer = FeatureLayer;

/** The modules of `features` in order; `widthDivisor` narrows every conv (test networks). */
export function vggLayers(variant: VggVariant, widthDivisor = 1): VggLayer[] {
  const layers: VggLayer[] = [];
  let channels = 3;
  BLOCKS[variant].forEach((block, b) => {
    block.forEach((width, c) => {
      const suffix = `${b + 1}_${c + 1}`;
      const outChannels = width / widthDivisor;
      if (!Number.isInteger(outChannels)) throw new RangeError(`vggLayers: width divisor ${widthDivisor} does not divide ${width}`);
      layers.push({ kind: 'conv', index: layers.length, name: `conv${suffix}`, inChannels: channels, outChannels, kernel: 3, stride: 1, padding: 1 });
      layers.push({ kind: 'relu', index: layers.length, name: `relu${suffix}` });
      channels = outChannels;
    });
    layers.push({ kind: 'pool', index: layers.length, name: `pool${b + 1}`, kernel: 2, stride: 2 });
  });
  return layers;
}

export function vggConvs(variant: VggVariant, widthDivisor = 1): FeatureConv[] {
  return convsOf(vggLayers(variant, widthDivisor));
}

/**
 * Check that `state` holds every conv of the variant's `features` with the right shapes (other keys,
 * such as torchvision's `classifier.*`, are ignored). The error names the layer and what was found.
 */
export function checkVggWeights(state: StateDict, variant: VggVariant, options: { widthDivisor?: number; file?: string } = {}): void {
  checkFeatureWeights(state, variant, vggConvs(variant, options.widthDivisor), options.file);
}

/**
 * torchvision names for a VGG's convs given in network order (an ONNX model zoo VGG, whose own names
 * differ): the k-th conv becomes `features.<index of the k-th conv>`. Shapes are checked afterwards.
 */
export function vggStateFromConvSequence(convs: readonly { weight: TensorData; bias?: TensorData }[], variant: VggVariant): StateDict {
  return stateFromConvSequence(convs, variant, vggConvs(variant));
}

/**
 * torchvision's VGG initialisation (`VGG._initialize_weights`): conv weights Kaiming normal with fan
 * out and the ReLU gain, biases zero. Seeded, so `random:<seed>` weights are the same on every machine.
 * Random features are no perceptual metric; they exist for tests and machines without ImageNet weights.
 */
export function randomVggWeights(variant: VggVariant, seed: number, widthDivisor = 1): StateDict {
  const random = new Random(seed);
  const state: StateDict = new Map();
  for (const layer of vggConvs(variant, widthDivisor)) {
    const std = Math.sqrt(2 / (layer.outChannels * 9));
    const weight = new Float32Array(layer.outChannels * layer.inChannels * 9);
    for (let i = 0; i < weight.length; i++) weight[i] = random.normal() * std;
    state.set(`features.${layer.index}.weight`, { dtype: 'float32', shape: [layer.outChannels, layer.inChannels, 3, 3], data: weight });
    state.set(`features.${layer.index}.bias`, { dtype: 'float32', shape: [layer.outChannels], data: new Float32Array(layer.outChannels) });
  }
  return state;
}

/** Throws an error naming the layers `variant` does not have, and listing those it has. */
export function requireVggLayers(variant: VggVariant, names: readonly string[]): void {
  requireLayers(variant, vggLayers(variant), names);
}

/** The activations of the named layers, keyed by name. */
export type VggFeatureExtractor = FeatureExtractor;

/**
 * A VGG whose weights are graph constants (it is never trained: gradients flow to its input only).
 * The returned function runs `features` on an input up to the deepest requested layer; calling it
 * several times (the SR picture and the HR picture) shares one copy of the weights in the graph.
 */
export function vggFeatureExtractor(variant: VggVariant, weights: StateDict, options: { file?: string } = {}): VggFeatureExtractor {
  const widthDivisor = widthDivisorOf(weights, variant, vggConvs(variant)[0]);
  return featureExtractor(variant, weights, vggLayers(variant, widthDivisor), options.file);
}
