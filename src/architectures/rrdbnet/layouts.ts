import type { KeyRenaming } from '../keyRenaming.js';
import { sameNames, templateRenaming } from '../keyRenaming.js';
import { count, pictureChannels, type LayoutReading, type LayoutWeights, type WeightLayout } from '../weightLayout.js';

/**
 * ESRGAN's RRDBNet in the three key layouts its released weights come in. Our `rrdbnet` uses
 * BasicSR's names; the other two are renamed to them. The math is the same in all three: conv_first,
 * residual-in-residual dense blocks, a trunk conv, x2 nearest + conv stages, two HR convs.
 */

interface RRDBNetShape {
  features: number;
  growth: number;
  blocks: number;
  upsamplings: number;
  /** conv_first's input channels: 3, or 12 / 48 after a 2x / 4x pixel-unshuffle (Real-ESRGAN x2 / x1). */
  inChannels: number;
  outChannels: number;
  /** File keys of conv_first and conv_last, to name them in errors. */
  firstKey: string;
  lastKey: string;
}

function rrdbnetReading(weights: LayoutWeights, shape: RRDBNetShape, renaming: KeyRenaming): LayoutReading {
  const channels = pictureChannels(weights, shape.lastKey, shape.outChannels, 'output');
  const unshuffle = Math.round(Math.sqrt(shape.inChannels / channels));
  if (![1, 2, 4].includes(unshuffle) || channels * unshuffle * unshuffle !== shape.inChannels) {
    weights.fail(`'${shape.firstKey}' takes ${shape.inChannels} channels: neither the ${channels} of its output nor pixel-unshuffled (${4 * channels}, ${16 * channels})`);
  }
  const scale = 2 ** shape.upsamplings / unshuffle;
  if (!Number.isInteger(scale)) weights.fail(`${shape.upsamplings} x2 upsampling stages cannot undo a ${unshuffle}x pixel-unshuffle`);
  const { features, blocks, growth, upsamplings } = shape;
  return {
    // Two stages is what our rrdbnet assumes; only other counts are written down.
    spec: { arch: 'rrdbnet', scale, options: { features, blocks, growth, ...(upsamplings === 2 ? {} : { upsamplings }), ...(channels === 3 ? {} : { channels }) } },
    details: `${count(blocks, 'block')}, ${count(features, 'feature')}${growth === 32 ? '' : `, growth ${growth}`}${channels === 3 ? '' : channels === 1 ? ', gray' : ', RGBA'}`,
    renaming,
  };
}

/**
 * The original ESRGAN `architecture.py`: one flattened nn.Sequential `model` = conv_first (model.0),
 * ShortcutBlock(RRDBs..., trunk conv) (model.1.sub.N), per x2 stage [Upsample, conv, LeakyReLU]
 * (convs at model.3, model.6, ...), HR conv, LeakyReLU, last conv. Convs inside a dense block are
 * Sequential(conv, act), hence 'conv1.0.weight'. Most community ESRGAN models use it.
 */
export const esrganOriginalLayout: WeightLayout = {
  name: 'ESRGAN RRDBNet (original layout)',
  signature: ['model.0.weight', 'model.1.sub.0.RDB1.conv1.0.weight'],
  read(weights) {
    const trunkConv = weights.highestIndex('model.1.sub');
    const last = weights.highestIndex('model');
    // After model.1: 3 layers per x2 stage, then HR conv (+2 past the stages) and last conv (+4).
    // An x3 model (one nearest x3 stage) has the same indices as an x2 one and reads as x2.
    const upsamplings = (last - 4) / 3;
    if (!Number.isInteger(upsamplings) || upsamplings < 0) {
      weights.fail(`its layers after the trunk (model.${weights.indices('model').filter((i) => i >= 2).join(', model.')}) are not ESRGAN's upsampling stages`);
    }
    const hr = 3 * upsamplings + 2;
    const first = weights.convShape('model.0.weight');
    return rrdbnetReading(
      weights,
      {
        features: first.out,
        growth: weights.convShape('model.1.sub.0.RDB1.conv1.0.weight').out,
        blocks: trunkConv,
        upsamplings,
        inChannels: first.in,
        outChannels: weights.convShape(`model.${last}.weight`).out,
        firstKey: 'model.0.weight',
        lastKey: `model.${last}.weight`,
      },
      templateRenaming([
        ['model.0.{kind}', 'conv_first.{kind}'],
        ['model.1.sub.{block}.RDB{rdb}.conv{conv}.0.{kind}', 'body.{block}.rdb{rdb}.conv{conv}.{kind}'],
        [`model.1.sub.${trunkConv}.{kind}`, 'conv_body.{kind}'],
        ...Array.from({ length: upsamplings }, (_, i) => [`model.${3 * (i + 1)}.{kind}`, `conv_up${i + 1}.{kind}`] as const),
        [`model.${hr}.{kind}`, 'conv_hr.{kind}'],
        [`model.${hr + 2}.{kind}`, 'conv_last.{kind}'],
      ]),
    );
  },
};

/** The ESRGAN repository's `RRDBNet_arch.py` (also BSRGAN and RealSR): RRDB_trunk, trunk_conv, upconvN, HRconv. */
export const esrganRepositoryLayout: WeightLayout = {
  name: 'ESRGAN RRDBNet (ESRGAN repository layout)',
  signature: ['conv_first.weight', 'RRDB_trunk.0.RDB1.conv1.weight', 'trunk_conv.weight'],
  read(weights) {
    const first = weights.convShape('conv_first.weight');
    return rrdbnetReading(
      weights,
      {
        features: first.out,
        growth: weights.convShape('RRDB_trunk.0.RDB1.conv1.weight').out,
        blocks: weights.highestIndex('RRDB_trunk') + 1,
        upsamplings: weights.countNumbered('upconv'),
        inChannels: first.in,
        outChannels: weights.convShape('conv_last.weight').out,
        firstKey: 'conv_first.weight',
        lastKey: 'conv_last.weight',
      },
      templateRenaming([
        ['conv_first.{kind}', 'conv_first.{kind}'],
        ['RRDB_trunk.{block}.RDB{rdb}.conv{conv}.{kind}', 'body.{block}.rdb{rdb}.conv{conv}.{kind}'],
        ['trunk_conv.{kind}', 'conv_body.{kind}'],
        ['upconv{stage}.{kind}', 'conv_up{stage}.{kind}'],
        ['HRconv.{kind}', 'conv_hr.{kind}'],
        ['conv_last.{kind}', 'conv_last.{kind}'],
      ]),
    );
  },
};

/**
 * BasicSR's `rrdbnet_arch.py`, the layout of Real-ESRGAN's releases (RealESRGAN_x4plus, x2plus) and
 * of our own rrdbnet: x2 and x1 pixel-unshuffle the input (conv_first takes 12 or 48 channels).
 */
export const basicsrRRDBNetLayout: WeightLayout = {
  name: 'Real-ESRGAN RRDBNet (BasicSR layout)',
  signature: ['conv_first.weight', 'body.0.rdb1.conv1.weight', 'conv_body.weight'],
  read(weights) {
    const first = weights.convShape('conv_first.weight');
    return rrdbnetReading(
      weights,
      {
        features: first.out,
        growth: weights.convShape('body.0.rdb1.conv1.weight').out,
        blocks: weights.highestIndex('body') + 1,
        upsamplings: weights.countNumbered('conv_up'),
        inChannels: first.in,
        outChannels: weights.convShape('conv_last.weight').out,
        firstKey: 'conv_first.weight',
        lastKey: 'conv_last.weight',
      },
      sameNames,
    );
  },
};
