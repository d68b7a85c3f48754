import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleScale, pixelShuffleStagesScale, requireRgb, sameInEveryGroup, type LayoutWeights, type WeightLayout } from '../weightLayout.js';

const BLOCK = 'layers.0.blocks.0';

/** Buffers of the reference that we rebuild for each picture size (masks) or from the window (offsets, index). */
const REBUILT_BUFFERS = ['.rpe_biases', '.relative_position_index', '.attn_mask_0', '.attn_mask_1'];

/** Heads of a group: the channel attention's temperature [heads, 1, 1], or twice a spatial half's position-MLP outputs when the group has no channel block. */
function groupHeads(weights: LayoutWeights, group: number): number {
  const temperature = `layers.${group}.blocks.1.attn.temperature`;
  if (weights.has(temperature)) return weights.shape(temperature)[0];
  return 2 * weights.shape(`layers.${group}.blocks.0.attn.attns.0.pos.pos3.2.weight`)[0];
}

/** The window [rows, columns]: the last offset of the first spatial half's `rpe_biases` is (rows - 1, columns - 1). */
function windowSplit(weights: LayoutWeights): [number, number] {
  const key = `${BLOCK}.attn.attns.0.rpe_biases`;
  const offsets = weights.values(key);
  const [rows, columns] = [offsets[offsets.length - 2] + 1, offsets[offsets.length - 1] + 1];
  if (!Number.isInteger(rows) || !Number.isInteger(columns) || rows < 2 || columns < 2) weights.fail(`'${key}' does not end with a window's last offset`);
  if (Math.max(rows, columns) % Math.min(rows, columns) !== 0) weights.fail(`its ${rows}x${columns} windows cannot tile a picture padded to ${Math.max(rows, columns)}`);
  return [rows, columns];
}

/** The training patch side, from a stored shifted-window mask [windows, N, N] (windows * N = side^2); 64 when the file has none. */
function trainingSize(weights: LayoutWeights): number {
  const mask = weights.keys().find((key) => key.endsWith('.attn.attn_mask_0'));
  if (!mask) return 64;
  const [windows, n] = weights.shape(mask);
  return Math.round(Math.sqrt(windows * n));
}

/**
 * DAT as its reference implementation names it (zhengchen1999/DAT `dat_arch.py`, read the way
 * spandrel reads it): conv_first, before_RG.1, layers.G.blocks.B.{norm1, attn, norm2, ffn.{fc1,
 * sg.norm, sg.conv, fc2}} (even blocks: attn.attns.0/1.pos.*, odd: attn.temperature), layers.G.conv,
 * norm, conv_after_body(.0/.2/.4), then conv_before_upsample + upsample.* + conv_last (pixelshuffle)
 * or upsample.0 (pixelshuffledirect). Stored buffers (offsets, index, masks) are read past.
 */
export const datLayout: WeightLayout = {
  name: 'DAT',
  signature: ['conv_first.weight', 'before_RG.1.weight', `${BLOCK}.ffn.sg.conv.weight`, `${BLOCK}.attn.dwconv.1.running_mean`, `${BLOCK}.attn.attns.0.pos.pos_proj.weight`, 'norm.weight'],
  read(weights) {
    const first = weights.convShape('conv_first.weight');
    requireRgb(weights, 'conv_first.weight', first.in, 'input');
    const embed = first.out;
    const groups = weights.highestIndex('layers') + 1;
    const depth = sameInEveryGroup(weights, groups, 'depths', (g) => weights.highestIndex(`layers.${g}.blocks`) + 1);
    const heads = sameInEveryGroup(weights, groups, 'head counts', (g) => groupHeads(weights, g));
    const expansion = weights.shape(`${BLOCK}.ffn.fc1.weight`)[0] / embed;
    const [splitH, splitW] = windowSplit(weights);

    let upsampler: string;
    let scale: number;
    let numFeat = 64;
    if (weights.has('conv_last.weight')) {
      upsampler = 'pixelshuffle';
      numFeat = weights.convShape('conv_before_upsample.0.weight').out;
      scale = pixelShuffleStagesScale(weights, numFeat);
    } else if (weights.has('upsample.0.weight')) {
      upsampler = 'pixelshuffledirect';
      scale = pixelShuffleScale(weights, 'upsample.0.weight', weights.convShape('upsample.0.weight').out, 3);
    } else {
      return weights.fail("it has neither 'conv_last.weight' (pixelshuffle) nor 'upsample.0.weight' (pixelshuffledirect)");
    }
    const options: Record<string, number | string> = {
      embed_dim: embed,
      groups,
      depth,
      heads,
      expansion_factor: expansion,
      split_h: splitH,
      split_w: splitW,
      img_size: trainingSize(weights),
      resi_connection: weights.has('conv_after_body.weight') ? '1conv' : '3conv',
      upsampler,
      num_feat: numFeat,
      qkv_bias: weights.has(`${BLOCK}.attn.qkv.bias`) ? 1 : 0,
    };
    // spandrel's size tags: DAT-light has one group; DAT-S has 8x16 windows; DAT and DAT-2 8x32.
    const size = groups < 4 ? 'light' : splitH === 8 && splitW === 16 ? 'small' : 'medium';
    return {
      spec: { arch: 'dat', scale, options },
      details: `${size}, ${count(groups, 'group')} of ${count(depth, 'block')}, ${embed} channels, ${count(heads, 'head')}, window ${splitH}x${splitW}, expansion ${expansion}, ${upsampler}`,
      renaming: sameNames,
      readOnly: weights.keys().filter((key) => REBUILT_BUFFERS.some((suffix) => key.endsWith(suffix))),
    };
  },
};
