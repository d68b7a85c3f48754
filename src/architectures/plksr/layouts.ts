import { sameNames } from '../keyRenaming.js';
import { count, pixelShuffleScale, requireRgb, type WeightLayout } from '../weightLayout.js';

/** The channel mixer variants by their two convs' kernels. */
export const PLKSR_MIXERS = { ccm: [3, 1], iccm: [1, 3], dccm: [3, 3] } as const;

/**
 * PLKSR as its reference (dslisleedh/PLKSR, read as spandrel reads it) names it: feats.0 head conv,
 * feats.1..N blocks (channe_mixer.0/2, sic; lk.conv; attn.f.0; refine), feats.N+1 the last conv. The
 * mixer variant (CCM, ICCM, DCCM) comes from its kernels; the sparse large-kernel variants (ablations
 * in the paper) are refused, and the identity branch of the large kernel (with_idt, off in the
 * published models) cannot be read from the weights.
 */
export const plksrLayout: WeightLayout = {
  name: 'PLKSR',
  signature: ['feats.0.weight', 'feats.1.channe_mixer.0.weight', 'feats.1.refine.weight'],
  read(weights) {
    if (!weights.has('feats.1.lk.conv.weight')) weights.fail("has a sparse large kernel ('feats.1.lk.convs' or 'mn_conv'), an ablation of the paper; only the plain large kernel is supported");
    const head = weights.convShape('feats.0.weight');
    requireRgb(weights, 'feats.0.weight', head.in, 'input');
    const lastIndex = weights.highestIndex('feats');
    const blocks = lastIndex - 1;
    const lastKey = `feats.${lastIndex}.weight`;
    const scale = pixelShuffleScale(weights, lastKey, weights.convShape(lastKey).out, 3);
    const kernels = [weights.convShape('feats.1.channe_mixer.0.weight').kernel, weights.convShape('feats.1.channe_mixer.2.weight').kernel];
    const mixer =
      Object.entries(PLKSR_MIXERS).find(([, k]) => k[0] === kernels[0] && k[1] === kernels[1])?.[0] ??
      weights.fail(`its channel mixer has ${kernels.join('x')} kernels, none of CCM (3, 1), ICCM (1, 3), DCCM (3, 3)`);
    const lk = weights.convShape('feats.1.lk.conv.weight');
    const attention = weights.has('feats.1.attn.f.0.weight');
    return {
      spec: { arch: 'plksr', scale, options: { dim: head.out, blocks, kernel: lk.kernel, split_ratio: lk.out / head.out, attention: attention ? 1 : 0, mixer } },
      details: `${count(blocks, 'block')}, ${head.out} channels, ${mixer.toUpperCase()}, ${lk.kernel}x${lk.kernel} kernel on ${lk.out}${attention ? '' : ', no attention'}`,
      renaming: sameNames,
    };
  },
};
