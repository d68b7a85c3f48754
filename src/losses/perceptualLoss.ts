import { EnhanceError } from '../errors.js';
import { div, sub } from '../graph/ops/elementwise.js';
import { float32Tensor } from '../graph/tensorData.js';
import type { Value } from '../graph/value.js';
import type { StateDict } from '../nn/buildContext.js';
import { requireVggLayers, vggFeatureExtractor, type VggVariant } from '../nn/networks/vgg.js';
import { l1Loss, mseLoss } from './pixelLosses.js';
import { weightedSum } from './structuralLosses.js';

/** The statistics torchvision's ImageNet models were trained with, per RGB channel. */
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

export type FeatureCriterion = 'l1' | 'mse';

export interface PerceptualLossOptions {
  variant: VggVariant;
  /**
   * Layer name -> weight. A `conv*` name compares features before the activation (ESRGAN), a `relu*`
   * name after it (SRGAN, Johnson et al.), a `pool*` name after pooling.
   */
  layers: Readonly<Record<string, number>>;
  criterion: FeatureCriterion;
}

/** The published perceptual losses (each paper's layer and criterion; the loss weight is the preset's). */
export const PERCEPTUAL_LOSSES = {
  /** SRGAN (Ledig et al. 2017) "VGG54": VGG19 conv5_4 after its ReLU, MSE. */
  srgan: { variant: 'vgg19', layers: { relu5_4: 1 }, criterion: 'mse' },
  /** ESRGAN (Wang et al. 2018): VGG19 conv5_4 before its ReLU, L1 (BasicSR's train_ESRGAN_x4.yml). */
  esrgan: { variant: 'vgg19', layers: { conv5_4: 1 }, criterion: 'l1' },
  /** Johnson et al. 2016, feature reconstruction loss for SR: VGG16 relu3_3, MSE. */
  johnson: { variant: 'vgg16', layers: { relu3_3: 1 }, criterion: 'mse' },
} as const satisfies Record<string, PerceptualLossOptions>;

/** [0, 1] RGB to the inputs an ImageNet VGG expects: (x - mean) / std per channel. */
export function imagenetNormalize(x: Value): Value {
  if (x.shape[1] !== 3) throw new EnhanceError(`the perceptual loss needs RGB pictures, got shape [${x.shape.join(', ')}]`);
  const mean = x.graph.constant(float32Tensor(IMAGENET_MEAN, [1, 3, 1, 1]));
  const std = x.graph.constant(float32Tensor(IMAGENET_STD, [1, 3, 1, 1]));
  return div(sub(x, mean), std);
}

/** The loss between a batch of predictions and their targets, [batch, 3, height, width] in [0, 1]. */
export type PerceptualLoss = (prediction: Value, target: Value) => Value;

/**
 * A perceptual (feature reconstruction) loss between two batches of [0, 1] RGB pictures: both are
 * normalised as ImageNet inputs, run through a frozen VGG, and the chosen layers' activations compared
 * with L1 or MSE (means over every element, as PyTorch's losses), weighted and summed (BasicSR's
 * PerceptualLoss with use_input_norm and no range_norm). Gradients flow to the pictures only.
 */
export function perceptualLoss(weights: StateDict, options: PerceptualLossOptions, source: { file?: string } = {}): PerceptualLoss {
  const names = Object.keys(options.layers);
  requireVggLayers(options.variant, names);
  for (const [name, weight] of Object.entries(options.layers)) {
    if (!Number.isFinite(weight)) throw new EnhanceError(`the perceptual loss weight of ${name} must be a finite number, got ${weight}`);
  }
  const extract = vggFeatureExtractor(options.variant, weights, source);
  const compare = options.criterion === 'l1' ? l1Loss : mseLoss;
  return (prediction, target) => {
    const predicted = extract(imagenetNormalize(prediction), names);
    const expected = extract(imagenetNormalize(target), names);
    return weightedSum(names.map((name) => ({ weight: options.layers[name], value: compare(predicted.get(name)!, expected.get(name)!) })));
  };
}
