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
export type VggLayer =
  | { kind: 'conv'; index: number; name: string; inChannels: number; outChannels: number }
  | { kind: 'relu'; index: number; name: string }
  | { kind: 'pool'; index: number; name: string };

/** The modules of `features` in order; `widthDivisor` narrows every conv (test networks). */
export function vggLayers(variant: VggVariant, widthDivisor = 1): VggLayer[] {
  const layers: VggLayer[] = [];
  let channels = 3;
  BLOCKS[variant].forEach((block, b) => {
    block.forEach((width, c) => {
      const suffix = `${b + 1}_${c + 1}`;
      const outChannels = width / widthDivisor;
      if (!Number.isInteger(outChannels)) throw new RangeError(`vggLayers: width divisor ${widthDivisor} does not divide ${width}`);
      layers.push({ kind: 'conv', index: layers.length, name: `conv${suffix}`, inChannels: channels, outChannels });
      layers.push({ kind: 'relu', index: layers.length, name: `relu${suffix}` });
      channels = outChannels;
    });
    layers.push({ kind: 'pool', index: layers.length, name: `pool${b + 1}` });
  });
  return layers;
}

type VggConv = Extract<VggLayer, { kind: 'conv' }>;

export function vggConvs(variant: VggVariant, widthDivisor = 1): VggConv[] {
  return vggLayers(variant, widthDivisor).filter((layer): layer is VggConv => layer.kind === 'conv');
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Check that `state` holds every conv of the variant's `features` with the right shapes (other keys,
 * such as torchvision's `classifier.*`, are ignored). The error names the layer and what was found.
 */
export function checkVggWeights(state: StateDict, variant: VggVariant, options: { widthDivisor?: number; file?: string } = {}): void {
  for (const layer of vggConvs(variant, options.widthDivisor)) {
    const expected = {
      weight: [layer.outChannels, layer.inChannels, 3, 3],
      bias: [layer.outChannels],
    };
    for (const [part, shape] of Object.entries(expected)) {
      const key = `features.${layer.index}.${part}`;
      const found = state.get(key);
      const needs = `${variant} needs [${shape.join(', ')}]`;
      if (!found) throw new EnhanceError(`has no ${key} (${layer.name} ${part}); ${needs}`, { file: options.file });
      if (found.dtype !== 'float32') throw new EnhanceError(`${key} (${layer.name} ${part}) holds ${found.dtype} values, not floats`, { file: options.file });
      if (!sameShape(found.shape, shape)) {
        throw new EnhanceError(`${key} (${layer.name} ${part}) is [${found.shape.join(', ')}], ${needs}`, { file: options.file });
      }
    }
  }
}

/**
 * torchvision names for a VGG's convs given in network order (an ONNX model zoo VGG, whose own names
 * differ): the k-th conv becomes `features.<index of the k-th conv>`. Shapes are checked afterwards.
 */
export function vggStateFromConvSequence(convs: readonly { weight: TensorData; bias?: TensorData }[], variant: VggVariant): StateDict {
  const layers = vggConvs(variant);
  if (convs.length !== layers.length) throw new EnhanceError(`has ${convs.length} convolutions, ${variant} has ${layers.length}`);
  const state: StateDict = new Map();
  convs.forEach(({ weight, bias }, k) => {
    state.set(`features.${layers[k].index}.weight`, weight);
    if (bias) state.set(`features.${layers[k].index}.bias`, bias);
  });
  return state;
}

/**
 * The width divisor of a (possibly narrowed) VGG state dict, read from its first conv: 1 for the real
 * networks. The rest is then checked by `checkVggWeights`.
 */
function widthDivisorOf(state: StateDict, variant: VggVariant): number {
  const first = state.get('features.0.weight');
  const divisor = first && first.shape.length === 4 && first.shape[0] > 0 ? 64 / first.shape[0] : 1;
  if (!Number.isInteger(divisor)) throw new EnhanceError(`features.0.weight (conv1_1 weight) is [${first!.shape.join(', ')}], ${variant} needs [64, 3, 3, 3]`);
  return divisor;
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
  const known = vggLayers(variant).map((layer) => layer.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new EnhanceError(`${variant} has no layer ${unknown.join(', ')}; its layers are ${known.join(', ')}`);
  if (names.length === 0) throw new EnhanceError(`no ${variant} layer was chosen`);
}

/** The activations of the named layers, keyed by name. */
export type VggFeatureExtractor = (x: Value, layers: readonly string[]) => Map<string, Value>;

/**
 * A VGG whose weights are graph constants (it is never trained: gradients flow to its input only).
 * The returned function runs `features` on an input up to the deepest requested layer; calling it
 * several times (the SR picture and the HR picture) shares one copy of the weights in the graph.
 */
export function vggFeatureExtractor(variant: VggVariant, weights: StateDict, options: { file?: string } = {}): VggFeatureExtractor {
  const widthDivisor = widthDivisorOf(weights, variant);
  checkVggWeights(weights, variant, { widthDivisor, file: options.file });
  const layers = vggLayers(variant, widthDivisor);
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const constantsOf = sharedConstants(weights);

  return (x, requested) => {
    requireVggLayers(variant, requested);
    const constant = constantsOf(x.graph);
    const last = Math.max(...requested.map((name) => byName.get(name)!.index));
    const wanted = new Set(requested);
    const features = new Map<string, Value>();
    let h = x;
    for (const layer of layers.slice(0, last + 1)) {
      if (layer.kind === 'conv') {
        const prefix = `features.${layer.index}`;
        h = conv(h, constant(`${prefix}.weight`), constant(`${prefix}.bias`), { pads: [1, 1, 1, 1] });
      } else if (layer.kind === 'relu') {
        h = relu(h);
      } else {
        h = maxPool(h, [2, 2]);
      }
      if (wanted.has(layer.name)) features.set(layer.name, h);
    }
    return features;
  };
}
