import { sameNames } from '../keyRenaming.js';
import { count, pictureChannels, pixelShuffleScale, type WeightLayout } from '../weightLayout.js';

/**
 * Real-ESRGAN's SRVGGNetCompact (`srvgg_arch.py`; realesr-general-x4v3, realesr-animevideov3):
 * body.0 first conv, body.1 its PReLU, then conv + PReLU pairs, the last conv giving 3 * scale^2
 * channels for PixelShuffle. Our srvgg-compact has the same names. Without PReLU weights (the ReLU and
 * LeakyReLU variants) the activation cannot be read from the file, so only PReLU models match.
 */
export const srvggCompactLayout: WeightLayout = {
  name: 'Real-ESRGAN SRVGGNetCompact',
  signature: ['body.0.weight', 'body.1.weight'],
  read(weights) {
    const first = weights.convShape('body.0.weight');
    const channels = pictureChannels(weights, 'body.0.weight', first.in, 'input');
    const lastIndex = weights.highestIndex('body');
    const convs = (lastIndex - 2) / 2;
    if (!Number.isInteger(convs) || convs < 0) weights.fail(`its last layer body.${lastIndex} is not a conv after a PReLU`);
    const lastKey = `body.${lastIndex}.weight`;
    const scale = pixelShuffleScale(weights, lastKey, weights.convShape(lastKey).out, channels);
    return {
      spec: { arch: 'srvgg-compact', scale, options: { features: first.out, convs, ...(channels === 3 ? {} : { channels }) } },
      details: `${count(first.out, 'feature')}, ${count(convs, 'conv')}${channels === 3 ? '' : channels === 1 ? ', gray' : ', RGBA'}`,
      renaming: sameNames,
    };
  },
};
