import { DIV2K_RGB_MEAN } from './network.js';
import { sameNames, templateRenaming, type KeyRenaming } from '../keyRenaming.js';
import { count, pixelShuffleScale, requireRgb, type LayoutReading, type LayoutWeights, type WeightLayout } from '../weightLayout.js';

/**
 * EDSR in BasicSR's layout (`edsr_arch.py`, our edsr's names) and in EDSR-PyTorch's (`model/edsr.py`).
 *
 * The residual scaling is not in the weights. The rule used (EDSR paper, section 3.2): 0.1 for the
 * large model, recognised by its 256 features; 1 for every smaller one (the baseline and BasicSR's
 * EDSR_M models).
 */
const residualScaleFor = (features: number): number => (features >= 256 ? 0.1 : 1);

interface EDSRShape {
  features: number;
  blocks: number;
  imgRange: number;
  /** File keys of the first conv, the first upsampling conv and the last conv. */
  firstKey: string;
  upsampleKey: (stage: number) => string;
  lastKey: string;
}

function edsrReading(weights: LayoutWeights, shape: EDSRShape, renaming: KeyRenaming, readOnly: readonly string[] = []): LayoutReading {
  const { features, blocks, imgRange } = shape;
  requireRgb(weights, shape.firstKey, weights.convShape(shape.firstKey).in, 'input');
  requireRgb(weights, shape.lastKey, weights.convShape(shape.lastKey).out, 'output');
  // Upsampling: one conv + PixelShuffle(3), or one conv + PixelShuffle(2) per factor of two.
  const factor = pixelShuffleScale(weights, shape.upsampleKey(0), weights.convShape(shape.upsampleKey(0)).out, features);
  let stages = 1;
  while (weights.has(shape.upsampleKey(stages))) stages++;
  if (!(factor === 2 || (factor === 3 && stages === 1))) weights.fail(`it has ${count(stages, `x${factor} upsampling stage`)}; EDSR has one x3 stage or x2 stages`);
  const resScale = residualScaleFor(features);
  return {
    spec: { arch: 'edsr', scale: factor ** stages, options: { features, blocks, res_scale: resScale, img_range: imgRange } },
    details: `${count(blocks, 'block')}, ${count(features, 'feature')}${resScale === 1 ? '' : `, residual scaling ${resScale}`}`,
    renaming,
    readOnly,
  };
}

/** BasicSR's EDSR: its mean shift is code, not weights; every BasicSR EDSR is trained with img_range 255. */
export const basicsrEdsrLayout: WeightLayout = {
  name: 'BasicSR EDSR',
  signature: ['conv_first.weight', 'body.0.conv1.weight', 'conv_after_body.weight', 'upsample.0.weight'],
  read(weights) {
    return edsrReading(
      weights,
      {
        features: weights.convShape('conv_first.weight').out,
        blocks: weights.highestIndex('body') + 1,
        imgRange: 255,
        firstKey: 'conv_first.weight',
        upsampleKey: (stage) => `upsample.${2 * stage}.weight`,
        lastKey: 'conv_last.weight',
      },
      sameNames,
    );
  },
};

/**
 * EDSR-PyTorch's MeanShift is a 1x1 conv: weight I / std, bias sign * rgb_range * mean / std. Its
 * models take [0, rgb_range] pictures; ours take [0, 1], which is BasicSR's img_range = rgb_range.
 * Only the DIV2K mean with unit std (all EDSR-PyTorch models) maps onto our edsr.
 */
function meanShiftRange(weights: LayoutWeights, name: string, sign: 1 | -1): number {
  const weight = weights.values(`${name}.weight`);
  const bias = weights.values(`${name}.bias`);
  const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const ranges = DIV2K_RGB_MEAN.map((mean, c) => (sign * bias[c]) / mean);
  const unitStd = weight.length === 9 && identity.every((v, i) => Math.abs(weight[i] - v) < 1e-6);
  const div2kMean = bias.length === 3 && ranges.every((r) => Math.abs(r - ranges[0]) <= 1e-4 * Math.abs(ranges[0]));
  const consistent = unitStd && div2kMean;
  if (!consistent || !(ranges[0] > 0)) weights.fail(`'${name}' is not the DIV2K mean shift (mean ${DIV2K_RGB_MEAN.join(', ')}, std 1) enhance's EDSR uses`);
  // Stored as float32: 255 comes back as 254.99998.
  const rounded = Math.round(ranges[0]);
  return Math.abs(ranges[0] - rounded) < 1e-3 * rounded ? rounded : ranges[0];
}

/**
 * EDSR-PyTorch: sub_mean, head.0, body.N.body.0 / body.N.body.2 (conv, ReLU, conv), body.<blocks>
 * (the conv after the blocks), tail.0.K (upsampler), tail.1 (last conv), add_mean.
 */
export const edsrPytorchLayout: WeightLayout = {
  name: 'EDSR (EDSR-PyTorch layout)',
  signature: ['head.0.weight', 'body.0.body.0.weight', 'tail.1.weight'],
  read(weights) {
    const blocks = weights.highestIndex('body');
    const range = meanShiftRange(weights, 'sub_mean', -1);
    if (meanShiftRange(weights, 'add_mean', 1) !== range) weights.fail(`'add_mean' does not undo 'sub_mean'`);
    return edsrReading(
      weights,
      {
        features: weights.convShape('head.0.weight').out,
        blocks,
        imgRange: range,
        firstKey: 'head.0.weight',
        upsampleKey: (stage) => `tail.0.${2 * stage}.weight`,
        lastKey: 'tail.1.weight',
      },
      templateRenaming([
        ['head.0.{kind}', 'conv_first.{kind}'],
        ['body.{block}.body.0.{kind}', 'body.{block}.conv1.{kind}'],
        ['body.{block}.body.2.{kind}', 'body.{block}.conv2.{kind}'],
        [`body.${blocks}.{kind}`, 'conv_after_body.{kind}'],
        ['tail.0.{layer}.{kind}', 'upsample.{layer}.{kind}'],
        ['tail.1.{kind}', 'conv_last.{kind}'],
      ]),
      ['sub_mean.weight', 'sub_mean.bias', 'add_mean.weight', 'add_mean.bias'],
    );
  },
};
