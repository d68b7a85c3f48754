import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleScale, pixelShuffleStagesScale, requireRgb, sameInEveryGroup, type LayoutWeights, type WeightLayout } from '../weightLayout.js';

const BLOCK = 'layers.0.residual_group.blocks.0';

/**
 * SwinIR as its reference implementation names it (JingyunLiang/SwinIR `network_swinir.py`, read the
 * way spandrel reads it): conv_first, layers.G.residual_group.blocks.B.{norm1, attn.{qkv, proj,
 * relative_position_bias_table}, norm2, mlp.fc1/fc2}, layers.G.conv, norm, conv_after_body, then the
 * reconstruction: conv_before_upsample + upsample.* (pixelshuffle), upsample.0 (pixelshuffledirect),
 * conv_before_upsample + conv_up1/2 + conv_hr (nearest+conv) or conv_last alone (none, x1). Buffers
 * (relative_position_index, attn_mask) are read past: we build them for each tile's size.
 */
export const swinirLayout: WeightLayout = {
  name: 'SwinIR',
  signature: [`${BLOCK}.norm1.weight`, `${BLOCK}.attn.relative_position_bias_table`, `${BLOCK}.mlp.fc1.weight`, 'conv_first.weight'],
  read(weights) {
    const first = weights.convShape('conv_first.weight');
    requireRgb(weights, 'conv_first.weight', first.in, 'input');
    if (weights.has('absolute_pos_embed')) weights.fail("it has an absolute position embedding ('absolute_pos_embed'), which fixes the picture size; not supported");
    const embed = first.out;
    const groups = weights.highestIndex('layers') + 1;
    const depth = sameInEveryGroup(weights, groups, 'depths', (g) => weights.highestIndex(`layers.${g}.residual_group.blocks`) + 1);
    const heads = sameInEveryGroup(weights, groups, 'head counts', (g) => weights.shape(`layers.${g}.residual_group.blocks.0.attn.relative_position_bias_table`)[1]);
    const tableRows = weights.shape(`${BLOCK}.attn.relative_position_bias_table`)[0];
    const window = (Math.sqrt(tableRows) + 1) / 2;
    if (!Number.isInteger(window)) weights.fail(`its bias table has ${tableRows} rows, not (2 window - 1)^2`);
    const mlpRatio = weights.shape(`${BLOCK}.mlp.fc1.weight`)[0] / embed;
    // The training patch, from a shifted block's stored mask [(img / window)^2, N, N]; 64 when the file has none.
    const mask = `layers.0.residual_group.blocks.1.attn_mask`;
    const imgSize = weights.has(mask) ? Math.round(Math.sqrt(weights.shape(mask)[0])) * window : 64;

    let upsampler: string;
    let scale: number;
    let numFeat = 64;
    if (weights.has('conv_before_upsample.0.weight') && weights.has('conv_up1.weight')) {
      upsampler = 'nearest+conv';
      numFeat = weights.convShape('conv_before_upsample.0.weight').out;
      scale = weights.has('conv_up2.weight') ? 4 : 2;
    } else if (weights.has('conv_before_upsample.0.weight')) {
      upsampler = 'pixelshuffle';
      numFeat = weights.convShape('conv_before_upsample.0.weight').out;
      scale = pixelShuffleStagesScale(weights, numFeat);
    } else if (weights.has('upsample.0.weight')) {
      upsampler = 'pixelshuffledirect';
      scale = pixelShuffleScale(weights, 'upsample.0.weight', weights.convShape('upsample.0.weight').out, 3);
    } else {
      upsampler = 'none';
      scale = 1;
    }
    const resi = weights.has('conv_after_body.weight') ? '1conv' : '3conv';
    // The JPEG-artefact models (window 7) work in [0, 255]; the SR models in [0, 1] (spandrel's rule).
    const imgRange = window === 7 ? 255 : 1;
    const options: Record<string, number | string> = {
      embed_dim: embed,
      groups,
      depth,
      heads,
      window,
      mlp_ratio: mlpRatio,
      upsampler,
      resi_connection: resi,
      img_range: imgRange,
      num_feat: numFeat,
      img_size: imgSize,
      patch_norm: weights.has('patch_embed.norm.weight') ? 1 : 0,
      qkv_bias: weights.has(`${BLOCK}.attn.qkv.bias`) ? 1 : 0,
    };
    const size = groups <= 4 ? 'small' : groups < 9 ? 'medium' : 'large';
    return {
      spec: { arch: 'swinir', scale, options },
      details: `${size}, ${count(groups, 'group')} of ${count(depth, 'block')}, ${embed} channels, ${count(heads, 'head')}, window ${window}, ${upsampler}`,
      renaming: sameNames,
      readOnly: weights.keys().filter((key) => key.endsWith('.relative_position_index') || key.endsWith('.attn_mask')),
    };
  },
};
