import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleScale, requireRgb, type WeightLayout } from '../weightLayout.js';

/**
 * BasicSR's MSRResNet (`srresnet_arch.py`): conv_first, body.N.conv1/conv2, upconv1 (x2, x3) or
 * upconv1 + upconv2 (x4), conv_hr, conv_last. Our msrresnet has the same names.
 */
export const msrresnetLayout: WeightLayout = {
  name: 'BasicSR MSRResNet',
  signature: ['conv_first.weight', 'body.0.conv1.weight', 'upconv1.weight', 'conv_hr.weight'],
  read(weights) {
    const first = weights.convShape('conv_first.weight');
    requireRgb(weights, 'conv_first.weight', first.in, 'input');
    requireRgb(weights, 'conv_last.weight', weights.convShape('conv_last.weight').out, 'output');
    const features = first.out;
    const blocks = weights.highestIndex('body') + 1;
    const scale = weights.has('upconv2.weight') ? 4 : pixelShuffleScale(weights, 'upconv1.weight', weights.convShape('upconv1.weight').out, features);
    if (![2, 3, 4].includes(scale)) weights.fail(`'upconv1.weight' makes x${scale}; MSRResNet is x2, x3 or x4`);
    return {
      spec: { arch: 'msrresnet', scale, options: { features, blocks } },
      details: `${count(blocks, 'block')}, ${count(features, 'feature')}`,
      renaming: sameNames,
    };
  },
};
