import { gelu, mish, sigmoid } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { groupNorm } from '../../graph/ops/normalization.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import { concat, split } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { constantInit } from '../../nn/init.js';

export interface RealPLKSROptions {
  dim: number;
  blocks: number;
  /** The large kernel's side (17 in the published models). */
  kernel: number;
  /** Channels the large kernel sees: dim * splitRatio (the first ones). */
  largeKernelChannels: number;
  /** Element-wise attention (x * sigmoid(conv x)) in every block. */
  attention: boolean;
  /** GroupNorm groups after each block (RealPLKSR); 0: none (PLKSR). */
  normGroups: number;
  scale: number;
  /**
   * The channel mixer: its two convs' kernels ([3, 3] DCCM, [3, 1] CCM, [1, 3] ICCM), activation and
   * module name. RealPLKSR: DCCM with Mish, 'channel_mixer'; PLKSR: GELU and its 'channe_mixer' (sic).
   */
  mixer?: { kernels: [number, number]; activation: 'mish' | 'gelu'; name: string };
  /** Where the last conv sits in `feats`: after the blocks and RealPLKSR's Dropout2d slot (2), or right after them (1, PLKSR). */
  lastOffset?: number;
}

const REAL_PLKSR_MIXER = { kernels: [3, 3] as [number, number], activation: 'mish' as const, name: 'channel_mixer' };

/** One partial-large-kernel block: the channel mixer (RealPLKSR: 3x3 -> Mish -> 3x3), a k x k conv on the first channels, attention, 1x1 refine, GroupNorm (RealPLKSR), skip. */
export function plkBlock(ctx: BuildContext, x: Value, o: RealPLKSROptions): Value {
  const d = o.dim;
  const { kernels, activation, name } = o.mixer ?? REAL_PLKSR_MIXER;
  const mixer = ctx.child(name);
  const act = activation === 'mish' ? mish : gelu;
  let f = conv2d(mixer, '2', act(conv2d(mixer, '0', x, d, 2 * d, { kernel: kernels[0] })), 2 * d, d, { kernel: kernels[1] });
  const [large, rest] = split(f, 1, [o.largeKernelChannels, d - o.largeKernelChannels]);
  f = concat([conv2d(ctx.child('lk'), 'conv', large, o.largeKernelChannels, o.largeKernelChannels, { kernel: o.kernel }), rest], 1);
  if (o.attention) f = mul(f, sigmoid(conv2d(ctx.child('attn').child('f'), '0', f, d, d, { kernel: 3 })));
  f = conv2d(ctx, 'refine', f, d, d, { kernel: 1 });
  if (o.normGroups > 0) {
    const norm = ctx.child('norm');
    f = groupNorm(f, o.normGroups, norm.parameter('weight', [d], 1, constantInit(1)), norm.parameter('bias', [d], 1, constantInit(0)));
  }
  return add(f, x);
}

/**
 * RealPLKSR (neosr's real-world variant of PLKSR, Lee et al. 2024, "Partial Large Kernel CNNs for
 * Efficient Super-Resolution"): a 3x3 head, partial-large-kernel blocks with GroupNorm, a 3x3 conv to
 * 3 * scale^2 channels and PixelShuffle, plus the input repeated into every sub-pixel (the reference's
 * repeat_interleave before the shuffle, which is nearest upsampling after it). Names are the
 * reference's `feats.N` Sequential (a Dropout2d slot before the last conv).
 */
export function realplksr(ctx: BuildContext, x: Value, o: RealPLKSROptions): Value {
  const feats = ctx.child('feats');
  let f = conv2d(feats, '0', x, 3, o.dim, { kernel: 3 });
  for (let i = 1; i <= o.blocks; i++) f = plkBlock(feats.child(i), f, o);
  const last = conv2d(feats, String(o.blocks + (o.lastOffset ?? 2)), f, o.dim, 3 * o.scale * o.scale, { kernel: 3 });
  return add(pixelShuffle(last, o.scale), resizeNearest(x, [o.scale, o.scale]));
}
