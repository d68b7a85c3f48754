import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleStagesScale, requireRgb, sameInEveryGroup, type LayoutWeights, type WeightLayout } from '../weightLayout.js';
import { hatScaleFits } from './network.js';

const GROUP = 'layers.0.residual_group';
const BLOCK = `${GROUP}.blocks.0`;

/** Buffers released files keep (position indexes, masks): we build our own for each picture size. */
const STORED_BUFFERS = ['relative_position_index_SA', 'relative_position_index_OCA'];

/** A ratio r with floor(channels / r) = reduced, the whole quotient when there is one (as spandrel recovers HAT's ratios). */
function ratioOf(weights: LayoutWeights, key: string, channels: number, reduced: number): number {
  const quotient = channels / reduced;
  const fits = (r: number) => r > 0 && Math.floor(channels / r) === reduced;
  const ratio = [quotient, Math.ceil(quotient), Math.floor(quotient)].find((r) => Number.isInteger(r) && fits(r));
  if (ratio === undefined) weights.fail(`'${key}' has ${reduced} channels, which no whole ratio of ${channels} gives`);
  return ratio;
}

/** The overlap ratio whose windows are `overlap` around `window`: round values first, as several ratios give one size. */
function overlapRatio(weights: LayoutWeights, window: number, overlap: number): number {
  const fits = (r: number) => window + Math.floor(window * r + 1e-9) === overlap;
  const ratio = [0, 1, 0.5, 0.25, 0.75, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9, (overlap - window) / window].find(fits);
  if (ratio === undefined || (overlap - window) % 2 !== 0) {
    weights.fail(`its cross-attention windows of ${overlap} around windows of ${window} are not centred (an odd difference); not supported`);
  }
  return ratio;
}

/** Scale of the pixel-shuffle stages `upsample.{0,2,...}.weight`. */
function upsampleScale(weights: LayoutWeights, features: number): number {
  const scale = pixelShuffleStagesScale(weights, features);
  if (!hatScaleFits(scale)) weights.fail(`its upsampler makes x${scale}; HAT makes x2^n or x3`);
  return scale;
}

/**
 * HAT as XPixelGroup/HAT `hat_arch.py` names it (read the way spandrel reads it): conv_first,
 * layers.G.residual_group.blocks.B.{norm1, attn.{qkv, proj, relative_position_bias_table}, conv_block.cab.*,
 * norm2, mlp.fc1/fc2}, layers.G.residual_group.overlap_attn.{norm1, qkv, relative_position_bias_table, proj,
 * norm2, mlp.*}, layers.G.conv, norm, conv_after_body, conv_before_upsample.0, upsample.*, conv_last. The
 * window and the overlapping window are read from the bias tables; the stored index buffers are read past.
 */
export const hatLayout: WeightLayout = {
  name: 'HAT',
  signature: [
    'relative_position_index_SA',
    'conv_first.weight',
    `${BLOCK}.norm1.weight`,
    `${BLOCK}.conv_block.cab.0.weight`,
    `${BLOCK}.conv_block.cab.3.attention.1.weight`,
    `${BLOCK}.mlp.fc1.weight`,
    `${GROUP}.overlap_attn.relative_position_bias_table`,
    `${GROUP}.overlap_attn.qkv.weight`,
    'conv_last.weight',
  ],
  read(weights) {
    const first = weights.convShape('conv_first.weight');
    requireRgb(weights, 'conv_first.weight', first.in, 'input');
    if (weights.has('absolute_pos_embed')) weights.fail("it has an absolute position embedding ('absolute_pos_embed'), which fixes the picture size; not supported");
    if (!weights.has('conv_before_upsample.0.weight')) weights.fail("it has no 'conv_before_upsample.0.weight'; only HAT's pixelshuffle reconstruction is supported");
    const embed = first.out;
    const groups = weights.highestIndex('layers') + 1;
    const depth = sameInEveryGroup(weights, groups, 'depths', (g) => weights.highestIndex(`layers.${g}.residual_group.blocks`) + 1);
    const heads = sameInEveryGroup(weights, groups, 'head counts', (g) => weights.shape(`layers.${g}.residual_group.overlap_attn.relative_position_bias_table`)[1]);
    const tableRows = weights.shape(`${BLOCK}.attn.relative_position_bias_table`)[0];
    const window = (Math.sqrt(tableRows) + 1) / 2;
    if (!Number.isInteger(window)) weights.fail(`its window bias table has ${tableRows} rows, not (2 window - 1)^2`);
    // The cross-attention table is (window + overlap - 1)^2 rows.
    const crossRows = weights.shape(`${GROUP}.overlap_attn.relative_position_bias_table`)[0];
    const overlap = Math.sqrt(crossRows) - window + 1;
    if (!Number.isInteger(overlap) || overlap < window) weights.fail(`its cross-attention bias table has ${crossRows} rows, not (window + overlap - 1)^2`);
    const compressKey = `${BLOCK}.conv_block.cab.0.weight`;
    const squeezeKey = `${BLOCK}.conv_block.cab.3.attention.1.weight`;
    const numFeat = weights.convShape('conv_before_upsample.0.weight').out;
    const resi = weights.has('conv_after_body.weight') ? '1conv' : 'identity';
    const compressRatio = ratioOf(weights, compressKey, embed, weights.convShape(compressKey).out);
    const options: Record<string, number | string> = {
      embed_dim: embed,
      groups,
      depth,
      heads,
      window,
      overlap_ratio: overlapRatio(weights, window, overlap),
      compress_ratio: compressRatio,
      squeeze_factor: ratioOf(weights, squeezeKey, embed, weights.convShape(squeezeKey).out),
      // Neither is in the file: every released model uses these.
      conv_scale: 0.01,
      img_range: 1,
      mlp_ratio: weights.shape(`${BLOCK}.mlp.fc1.weight`)[0] / embed,
      upsampler: 'pixelshuffle',
      resi_connection: resi,
      num_feat: numFeat,
      patch_norm: weights.has('patch_embed.norm.weight') ? 1 : 0,
      qkv_bias: weights.has(`${BLOCK}.attn.qkv.bias`) ? 1 : 0,
    };
    // spandrel's size tags: HAT-L has 12 groups, HAT-S a compress ratio of 24.
    const size = groups >= 9 ? 'large (HAT-L)' : compressRatio > 4 ? 'small (HAT-S)' : 'medium (HAT)';
    return {
      spec: { arch: 'hat', scale: upsampleScale(weights, numFeat), options },
      details: `${size}, ${count(groups, 'group')} of ${count(depth, 'block')}, ${embed} channels, ${count(heads, 'head')}, window ${window}, overlap window ${overlap}`,
      renaming: sameNames,
      readOnly: weights.keys().filter((key) => STORED_BUFFERS.includes(key) || key.endsWith('.relative_position_index') || key.endsWith('.attn_mask')),
    };
  },
};
