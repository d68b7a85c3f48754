import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleScale, requireRgb, type WeightLayout } from '../weightLayout.js';
import { SPAN_BLOCKS } from './network.js';

/**
 * The reference SPAN layout (hongyuanyu/SPAN `span_arch.py`, as spandrel reads it): Conv3XC modules
 * `conv_1`, `block_N.c{1,2,3}_r`, `conv_2` with their branches `sk`, `conv.0-2` and the fused `eval_conv`;
 * `conv_cat`; `upsampler.0`. Our span has the same names. The fused `eval_conv` tensors are read past
 * (we fuse the branches ourselves), and a `no_norm` buffer means the input is not normalised.
 */
export const spanLayout: WeightLayout = {
  name: 'SPAN',
  signature: ['conv_1.sk.weight', 'block_1.c1_r.sk.weight', 'conv_cat.weight', 'conv_2.sk.weight', 'upsampler.0.weight'],
  read(weights) {
    const first = weights.convShape('conv_1.sk.weight');
    requireRgb(weights, 'conv_1.sk.weight', first.in, 'input');
    const scale = pixelShuffleScale(weights, 'upsampler.0.weight', weights.convShape('upsampler.0.weight').out, 3);
    const found = weights.keys().filter((key) => /^block_\d+\.c1_r\.sk\.weight$/.test(key)).length;
    if (found !== SPAN_BLOCKS) weights.fail(`it has ${count(found, 'block')}; SPAN has ${SPAN_BLOCKS}`);
    const normalise = !weights.has('no_norm');
    return {
      spec: { arch: 'span', scale, options: { features: first.out, ...(normalise ? {} : { normalise: 0 }) } },
      details: `${count(first.out, 'feature')}${normalise ? '' : ', no input normalisation'}`,
      renaming: sameNames,
      readOnly: weights.keys().filter((key) => key.includes('.eval_conv.') || key === 'no_norm'),
    };
  },
};
