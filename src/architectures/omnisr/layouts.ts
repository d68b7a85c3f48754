import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleScale, requireRgb, type WeightLayout } from '../weightLayout.js';
import { OMNISR_HEADS } from './attention.js';

const BLOCK = 'residual_layer.0.residual_layer.0';
const POSITION_BIAS = `${BLOCK}.layer.2.fn.rel_pos_bias.weight`;
/** What the window is when no bias table tells it: the published models' (and spandrel's assumption). */
const DEFAULT_WINDOW = 8;

/** Keys a FLOP profiler (thop) leaves in some files, and the position-index buffer we rebuild. */
const isLeftover = (key: string) => key.endsWith('total_ops') || key.endsWith('total_params') || key.endsWith('.rel_pos_indices');

/**
 * OmniSR as its reference names it (Francis0625/Omni-SR, read the way spandrel reads it): input,
 * residual_layer.G.residual_layer.{B.layer.N..., blocks (the 1x1 conv)}, residual_layer.G.esa.*,
 * output, up.0. Hyper-parameters from shapes: features and input channels from `input`, scale from
 * `up.0`, groups and blocks from the indices, the window from the bias table [(2w - 1)^2, heads]
 * (absent: no position bias, and the window cannot be read), biases from `input.bias`.
 */
export const omnisrLayout: WeightLayout = {
  name: 'OmniSR',
  signature: [`${BLOCK}.layer.0.fn.0.weight`, 'input.weight', 'up.0.weight'],
  read(weights) {
    const input = weights.convShape('input.weight');
    requireRgb(weights, 'input.weight', input.in, 'input');
    const features = input.out;
    if (features % OMNISR_HEADS !== 0) weights.fail(`'input.weight' gives it ${features} features, not a multiple of ${OMNISR_HEADS} (the attention heads)`);
    const scale = pixelShuffleScale(weights, 'up.0.weight', weights.convShape('up.0.weight').out, 3);
    const groups = weights.highestIndex('residual_layer') + 1;
    const blocks = weights.highestIndex('residual_layer.0.residual_layer');
    const pe = weights.has(POSITION_BIAS);
    let window = DEFAULT_WINDOW;
    if (pe) {
      const rows = weights.shape(POSITION_BIAS)[0];
      window = (Math.sqrt(rows) + 1) / 2;
      if (!Number.isInteger(window)) weights.fail(`its bias table '${POSITION_BIAS}' has ${rows} rows, not (2 window - 1)^2`);
    }
    const bias = weights.has('input.bias');
    const options: Record<string, number | string> = { num_feat: features, res_num: groups, block_num: blocks, window, pe: pe ? 1 : 0, bias: bias ? 1 : 0 };
    const extras = [...(pe ? [] : ['no position bias']), ...(bias ? [] : ['no biases'])];
    return {
      spec: { arch: 'omnisr', scale, options },
      details: [`${count(groups, 'group')} of ${count(blocks, 'block')}`, `${features} features`, `window ${window}${pe ? '' : ' (assumed)'}`, ...extras].join(', '),
      renaming: sameNames,
      readOnly: weights.keys().filter(isLeftover),
    };
  },
};
