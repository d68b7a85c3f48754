import { EnhanceError } from '../../errors.js';
import { relu } from '../../graph/ops/activations.js';
import { conv } from '../../graph/ops/conv.js';
import { maxPool } from '../../graph/ops/pool.js';
import type { TensorData } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import type { StateDict } from '../buildContext.js';
import { sharedConstants } from '../sharedConstants.js';

/**
 * The convolutional part of a torchvision classifier (VGG, AlexNet): one `features` Sequential of
 * convs, ReLUs and max pools, so parameters are `features.<index>.weight` / `.bias`. Everything the
 * frozen feature extractors share lives here; each network only describes its layers.
 */
export type FeatureLayer =
  | { kind: 'conv'; index: number; name: string; inChannels: number; outChannels: number; kernel: number; stride: number; padding: number }
  | { kind: 'relu'; index: number; name: string }
  | { kind: 'pool'; index: number; name: string; kernel: number; stride: number };

export type FeatureConv = Extract<FeatureLayer, { kind: 'conv' }>;

export function convsOf(layers: readonly FeatureLayer[]): FeatureConv[] {
  return layers.filter((layer): layer is FeatureConv => layer.kind === 'conv');
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Check that `state` holds every conv of `convs` with the right shapes (other keys, such as
 * torchvision's `classifier.*`, are ignored). The error names the layer and what was found.
 */
export function checkFeatureWeights(state: StateDict, network: string, convs: readonly FeatureConv[], file?: string): void {
  for (const layer of convs) {
    const expected = { weight: [layer.outChannels, layer.inChannels, layer.kernel, layer.kernel], bias: [layer.outChannels] };
    for (const [part, shape] of Object.entries(expected)) {
      const key = `features.${layer.index}.${part}`;
      const found = state.get(key);
      const needs = `${network} needs [${shape.join(', ')}]`;
      if (!found) throw new EnhanceError(`has no ${key} (${layer.name} ${part}); ${needs}`, { file });
      if (found.dtype !== 'float32') throw new EnhanceError(`${key} (${layer.name} ${part}) holds ${found.dtype} values, not floats`, { file });
      if (!sameShape(found.shape, shape)) throw new EnhanceError(`${key} (${layer.name} ${part}) is [${found.shape.join(', ')}], ${needs}`, { file });
    }
  }
}

/**
 * torchvision names for convs given in network order (an ONNX export, whose own names differ): the k-th
 * conv becomes `features.<index of the k-th conv>`. Shapes are checked afterwards.
 */
export function stateFromConvSequence(convs: readonly { weight: TensorData; bias?: TensorData }[], network: string, layers: readonly FeatureConv[]): StateDict {
  if (convs.length !== layers.length) throw new EnhanceError(`has ${convs.length} convolutions, ${network} has ${layers.length}`);
  const state: StateDict = new Map();
  convs.forEach(({ weight, bias }, k) => {
    state.set(`features.${layers[k].index}.weight`, weight);
    if (bias) state.set(`features.${layers[k].index}.bias`, bias);
  });
  return state;
}

/**
 * The width divisor of a (possibly narrowed, for tests) state dict, read from its first conv: 1 for
 * the real networks. The rest is then checked by `checkFeatureWeights`.
 */
export function widthDivisorOf(state: StateDict, network: string, first: FeatureConv): number {
  const found = state.get(`features.${first.index}.weight`);
  const divisor = found && found.shape.length === 4 && found.shape[0] > 0 ? first.outChannels / found.shape[0] : 1;
  if (!Number.isInteger(divisor)) {
    throw new EnhanceError(`features.${first.index}.weight (${first.name} weight) is [${found!.shape.join(', ')}], ${network} needs [${first.outChannels}, ${first.inChannels}, ${first.kernel}, ${first.kernel}]`);
  }
  return divisor;
}

/** Throws an error naming the layers the network does not have, and listing those it has. */
export function requireLayers(network: string, layers: readonly FeatureLayer[], names: readonly string[]): void {
  const known = layers.map((layer) => layer.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new EnhanceError(`${network} has no layer ${unknown.join(', ')}; its layers are ${known.join(', ')}`);
  if (names.length === 0) throw new EnhanceError(`no ${network} layer was chosen`);
}

/** The activations of the named layers, keyed by name. */
export type FeatureExtractor = (x: Value, layers: readonly string[]) => Map<string, Value>;

/**
 * A `features` Sequential whose weights are graph constants (checked first). The returned function
 * runs it on an input up to the deepest requested layer; calling it on several inputs of one graph
 * shares one copy of the weights.
 */
export function featureExtractor(network: string, weights: StateDict, layers: readonly FeatureLayer[], file?: string): FeatureExtractor {
  checkFeatureWeights(weights, network, convsOf(layers), file);
  const position = new Map(layers.map((layer, i) => [layer.name, i]));
  const constantsOf = sharedConstants(weights);
  return (x, requested) => {
    requireLayers(network, layers, requested);
    const constant = constantsOf(x.graph);
    const last = Math.max(...requested.map((name) => position.get(name)!));
    const wanted = new Set(requested);
    const features = new Map<string, Value>();
    let h = x;
    for (const layer of layers.slice(0, last + 1)) {
      if (layer.kind === 'conv') {
        const { stride, padding } = layer;
        const prefix = `features.${layer.index}`;
        h = conv(h, constant(`${prefix}.weight`), constant(`${prefix}.bias`), { strides: [stride, stride], pads: [padding, padding, padding, padding] });
      } else if (layer.kind === 'relu') {
        h = relu(h);
      } else {
        h = maxPool(h, [layer.kernel, layer.kernel], [layer.stride, layer.stride]);
      }
      if (wanted.has(layer.name)) features.set(layer.name, h);
    }
    return features;
  };
}
