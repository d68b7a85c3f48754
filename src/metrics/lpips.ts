import { EnhanceError } from '../errors.js';
import { Graph } from '../graph/graph.js';
import { serializeModel } from '../graph/onnx/serializeModel.js';
import { conv } from '../graph/ops/conv.js';
import { add, div, mul, sqrt, sub } from '../graph/ops/elementwise.js';
import { reduceMean, reduceSum } from '../graph/ops/reduce.js';
import { float32Tensor, type TensorData } from '../graph/tensorData.js';
import type { Value } from '../graph/value.js';
import { channelPlane, colorChannelCount, type ImageTensor } from '../image/tensor.js';
import type { StateDict } from '../nn/buildContext.js';
import { alexnetFeatureExtractor } from '../nn/networks/alexnet.js';
import { vggFeatureExtractor } from '../nn/networks/vgg.js';
import { createSession, ort, type SessionOptions } from '../runtime/session.js';
import { howToGet, listWeights, loadWeights, type RegistryOptions } from '../weights/weightsRegistry.js';

/**
 * LPIPS, the Learned Perceptual Image Patch Similarity (Zhang et al. 2018, "The Unreasonable
 * Effectiveness of Deep Features as a Perceptual Metric"), version 0.1 as richzhang/PerceptualSimilarity
 * computes it: pictures mapped from [0, 1] to [-1, 1] and through its ScalingLayer, five layers of an
 * ImageNet backbone unit-normalised over channels, their squared differences weighted per channel by
 * learned 1x1 convs, averaged over space and summed over layers. 0 for equal pictures, lower is closer.
 */
export type LpipsNet = 'alex' | 'vgg';
export const LPIPS_NETS: readonly LpipsNet[] = ['alex', 'vgg'];

/** The registered weights each variant needs: its ImageNet backbone and LPIPS's layer weights. */
export const LPIPS_WEIGHTS: Readonly<Record<LpipsNet, { backbone: string; linear: string }>> = {
  alex: { backbone: 'alexnet', linear: 'lpips-alex' },
  vgg: { backbone: 'vgg16', linear: 'lpips-vgg' },
};

/** The backbone layers LPIPS compares (the ends of `pretrained_networks.py`'s slices). */
const LAYERS: Readonly<Record<LpipsNet, readonly string[]>> = {
  alex: ['relu1', 'relu2', 'relu3', 'relu4', 'relu5'],
  vgg: ['relu1_2', 'relu2_2', 'relu3_3', 'relu4_3', 'relu5_3'],
};

/**
 * The smallest picture side whose deepest compared layer is not empty: AlexNet's relu5 follows an
 * 11x11 stride-4 conv and two 3x3 stride-2 pools (31 -> 7 -> 3 -> 1), VGG16's relu5_3 four 2x2 pools.
 */
export const LPIPS_MINIMUM_SIDE: Readonly<Record<LpipsNet, number>> = { alex: 31, vgg: 16 };

/** The ScalingLayer's constants: [-1, 1] inputs to roughly the statistics ImageNet networks expect. */
const SHIFT = [-0.03, -0.088, -0.188];
const SCALE = [0.458, 0.448, 0.45];

/** A norm added so that an all-zero feature vector stays zero (`normalize_tensor`'s eps). */
const NORM_EPSILON = 1e-10;

export interface LpipsWeights {
  /** torchvision's `features.N.*` of AlexNet (alex) or VGG16 (vgg), possibly narrowed for tests. */
  backbone: StateDict;
  /** `lin<k>.model.1.weight`, [1, C, 1, 1] for the k-th compared layer. */
  linear: StateDict;
}

/** The distance between two batches of RGB pictures in [0, 1], [N, 3, H, W] each, as [N]. */
export type LpipsDistance = (x0: Value, x1: Value) => Value;

/** Each feature vector (over channels) divided by its length. */
function unitNormalize(features: Value): Value {
  return div(features, add(sqrt(reduceSum(mul(features, features), [1], true)), NORM_EPSILON));
}

/** [0, 1] pictures to the backbone's input: 2x - 1, then (x - shift) / scale. */
function scaledInput(x: Value): Value {
  if (x.shape[1] !== 3) throw new EnhanceError(`LPIPS needs RGB pictures, got shape [${x.shape.join(', ')}]`);
  const shift = x.graph.constant(float32Tensor(SHIFT, [1, 3, 1, 1]));
  const scale = x.graph.constant(float32Tensor(SCALE, [1, 3, 1, 1]));
  return div(sub(sub(mul(x, 2), 1), shift), scale);
}

/** The layer weights, checked against the channels of the backbone's features. */
function linearWeight(linear: StateDict, layer: number, features: Value, name: string, backbone: string): TensorData {
  const key = `lin${layer}.model.1.weight`;
  const weight = linear.get(key);
  const channels = features.shape[1];
  if (!weight) throw new EnhanceError(`the LPIPS layer weights have no ${key} (for ${backbone} ${name})`);
  if (weight.shape.length !== 4 || weight.shape[0] !== 1 || weight.shape[1] !== channels || weight.shape[2] !== 1 || weight.shape[3] !== 1) {
    throw new EnhanceError(`the LPIPS layer weight ${key} is [${weight.shape.join(', ')}], but ${backbone} ${name} has ${channels} channels: [1, ${channels}, 1, 1] is needed`);
  }
  return weight;
}

/**
 * LPIPS as graph ops, the weights as constants (the backbone's shared by every call in a graph). The
 * difference of the unit-normalised features is squared before the 1x1 conv, so each layer's term is
 * a non-negative weighted sum when the weights are (trained LPIPS weights are).
 */
export function lpipsDistance(net: LpipsNet, weights: LpipsWeights): LpipsDistance {
  const { backbone } = LPIPS_WEIGHTS[net];
  const extract = net === 'alex' ? alexnetFeatureExtractor(weights.backbone) : vggFeatureExtractor('vgg16', weights.backbone);
  return (x0, x1) => {
    const features0 = extract(scaledInput(x0), LAYERS[net]);
    const features1 = extract(scaledInput(x1), LAYERS[net]);
    const terms = LAYERS[net].map((name, layer) => {
      const f0 = features0.get(name)!;
      const linear = x0.graph.constant(linearWeight(weights.linear, layer, f0, name, backbone));
      const difference = sub(unitNormalize(f0), unitNormalize(features1.get(name)!));
      // [N, 1, h, w] averaged over its last three axes is the spatial mean, as [N].
      return reduceMean(conv(mul(difference, difference), linear), [1, 2, 3]);
    });
    return terms.reduce((sum, term) => add(sum, term));
  };
}

/**
 * A picture as LPIPS's [1, 3, H, W] input: rounded to 8-bit levels as saved results are (the other
 * metrics measure the same), `crop` pixels removed at each border, gray repeated as RGB, alpha dropped.
 */
function rgbInput(image: ImageTensor, crop: number): { data: Float32Array; height: number; width: number } {
  const height = image.height - 2 * crop;
  const width = image.width - 2 * crop;
  const data = new Float32Array(3 * height * width);
  const gray = colorChannelCount(image) === 1;
  for (let c = 0; c < 3; c++) {
    const plane = channelPlane(image, gray ? 0 : c);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = plane[(y + crop) * image.width + x + crop];
        data[(c * height + y) * width + x] = (v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255)) / 255;
      }
    }
  }
  return { data, height, width };
}

/** LPIPS compiled once into an onnxruntime session that scores pictures of any size. */
export class LpipsMetric {
  private constructor(
    readonly net: LpipsNet,
    private readonly session: ort.InferenceSession,
  ) {}

  static async create(net: LpipsNet, weights: LpipsWeights, options: SessionOptions = {}): Promise<LpipsMetric> {
    const graph = new Graph();
    const image0 = graph.input('image0', 'float32', [1, 3, 'height', 'width']);
    const image1 = graph.input('image1', 'float32', [1, 3, 'height', 'width']);
    const distance = lpipsDistance(net, weights)(image0, image1);
    const model = serializeModel(graph, { inputs: [image0, image1], outputs: [{ name: 'distance', value: distance }], graphName: `lpips_${net}` });
    return new LpipsMetric(net, await createSession(model, options));
  }

  /** The LPIPS distance between two pictures of the same size, `crop` pixels removed at each border. */
  async distance(a: ImageTensor, b: ImageTensor, options: { crop?: number } = {}): Promise<number> {
    if (a.height !== b.height || a.width !== b.width) throw new RangeError(`LpipsMetric: pictures of ${a.width}x${a.height} and ${b.width}x${b.height} differ in size`);
    const crop = options.crop ?? 0;
    const minimum = LPIPS_MINIMUM_SIDE[this.net];
    if (Math.min(a.height, a.width) - 2 * crop < minimum) {
      throw new EnhanceError(`LPIPS (${this.net}) needs pictures of at least ${minimum}x${minimum} pixels after the ${crop}-pixel border crop, got ${a.width}x${a.height}`);
    }
    const [input0, input1] = [a, b].map((image) => rgbInput(image, crop));
    const dims = [1, 3, input0.height, input0.width];
    const results = await this.session.run({ image0: new ort.Tensor('float32', input0.data, dims), image1: new ort.Tensor('float32', input1.data, dims) });
    return (results.distance.data as Float32Array)[0];
  }
}

/**
 * LPIPS with the registered weights of `net`: its backbone and its layer weights. When either is not
 * registered, the error says which files to get and the `enhance weights add` commands to run.
 */
export async function loadLpipsMetric(net: LpipsNet, options: RegistryOptions = {}): Promise<LpipsMetric> {
  const names = [LPIPS_WEIGHTS[net].backbone, LPIPS_WEIGHTS[net].linear];
  const registered = new Set((await listWeights(options)).map((entry) => entry.name));
  const missing = names.filter((name) => !registered.has(name));
  if (missing.length > 0) throw new EnhanceError(`LPIPS (${net}) needs weights that are not registered (enhance downloads nothing): ${missing.map(howToGet).join('; ')}`);
  const [backbone, linear] = await Promise.all(names.map((name) => loadWeights(name, options)));
  return LpipsMetric.create(net, { backbone, linear });
}
