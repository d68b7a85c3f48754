import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleScale, requireRgb, type WeightLayout } from '../weightLayout.js';

/**
 * RealPLKSR as neosr and spandrel name it: feats.0 head conv, feats.1..N PLK blocks (channel_mixer.0/2,
 * lk.conv, attn.f.0, refine, norm), feats.N+1 a Dropout2d slot, feats.N+2 the last conv. The large
 * kernel's size and the channels it sees come from lk.conv's shape; the GroupNorm's 4 groups cannot be
 * read from the weights (the published models all use 4). The DySample and LayerNorm variants are refused.
 */
export const realplksrLayout: WeightLayout = {
  name: 'RealPLKSR',
  signature: ['feats.0.weight', 'feats.1.lk.conv.weight', 'feats.1.refine.weight', 'feats.1.channel_mixer.0.weight'],
  read(weights) {
    if (weights.has('to_img.init_pos')) weights.fail("uses the DySample upsampler ('to_img.*'), which needs grid sampling; not supported yet");
    if (weights.has('feats.1.layer_norm.weight')) weights.fail("uses LayerNorm in its blocks ('feats.1.layer_norm'); only the GroupNorm RealPLKSR is supported");
    const head = weights.convShape('feats.0.weight');
    requireRgb(weights, 'feats.0.weight', head.in, 'input');
    const lastIndex = weights.highestIndex('feats');
    const blocks = lastIndex - 2;
    if (blocks < 1) weights.fail(`its last layer is feats.${lastIndex}: no blocks`);
    const lastKey = `feats.${lastIndex}.weight`;
    const scale = pixelShuffleScale(weights, lastKey, weights.convShape(lastKey).out, 3);
    const lk = weights.convShape('feats.1.lk.conv.weight');
    const attention = weights.has('feats.1.attn.f.0.weight');
    return {
      spec: { arch: 'realplksr', scale, options: { dim: head.out, blocks, kernel: lk.kernel, split_ratio: lk.out / head.out, attention: attention ? 1 : 0 } },
      details: `${count(blocks, 'block')}, ${head.out} channels, ${lk.kernel}x${lk.kernel} kernel on ${lk.out}${attention ? '' : ', no attention'}`,
      renaming: sameNames,
    };
  },
};
