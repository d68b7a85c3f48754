import { describe, it } from 'vitest';
import { expectFixtureMatchesPytorch, type FixtureCase } from './fixtureRunner.js';

/** SwinIR options as detection writes them: every hyper-parameter, the defaults of the reference spelled out. */
function swinir(o: Record<string, number | string>): Record<string, number | string> {
  return { mlp_ratio: 2, upsampler: 'pixelshuffle', resi_connection: '1conv', img_range: 1, num_feat: 64, patch_norm: 1, qkv_bias: 1, ...o };
}

/** What detection must recover from each file: every hyper-parameter, and the description people read. */
const CASES: FixtureCase[] = [
  { name: 'span-x4', spec: { arch: 'span', scale: 4, options: { features: 8 } }, description: 'SPAN, 8 features, x4' },
  { name: 'span-x2-nonorm', spec: { arch: 'span', scale: 2, options: { features: 6, normalise: 0 } }, description: 'SPAN, 6 features, no input normalisation, x2' },
  { name: 'compact-x2-gray', spec: { arch: 'srvgg-compact', scale: 2, options: { features: 8, convs: 2, channels: 1 } }, description: 'Real-ESRGAN SRVGGNetCompact, 8 features, 2 convs, gray, x2' },
  { name: 'compact-x2-rgba', spec: { arch: 'srvgg-compact', scale: 2, options: { features: 8, convs: 2, channels: 4 } }, description: 'Real-ESRGAN SRVGGNetCompact, 8 features, 2 convs, RGBA, x2' },
  { name: 'rrdbnet-x4-gray', spec: { arch: 'rrdbnet', scale: 4, options: { features: 8, blocks: 1, growth: 4, channels: 1 } }, description: 'Real-ESRGAN RRDBNet (BasicSR layout), 1 block, 8 features, growth 4, gray, x4' },
  { name: 'rrdbnet-x4-rgba', spec: { arch: 'rrdbnet', scale: 4, options: { features: 8, blocks: 1, growth: 4, channels: 4 } }, description: 'Real-ESRGAN RRDBNet (BasicSR layout), 1 block, 8 features, growth 4, RGBA, x4' },
  {
    name: 'realplksr-x4',
    spec: { arch: 'realplksr', scale: 4, options: { dim: 8, blocks: 2, kernel: 7, split_ratio: 0.25, attention: 1 } },
    description: 'RealPLKSR, 2 blocks, 8 channels, 7x7 kernel on 2, x4',
  },
  {
    name: 'realplksr-x2-noattn',
    spec: { arch: 'realplksr', scale: 2, options: { dim: 12, blocks: 1, kernel: 5, split_ratio: 0.5, attention: 0 } },
    description: 'RealPLKSR, 1 block, 12 channels, 5x5 kernel on 6, no attention, x2',
  },
  {
    name: 'plksr-x4-ccm',
    spec: { arch: 'plksr', scale: 4, options: { dim: 8, blocks: 2, kernel: 7, split_ratio: 0.25, attention: 1, mixer: 'ccm' } },
    description: 'PLKSR, 2 blocks, 8 channels, CCM, 7x7 kernel on 2, x4',
  },
  {
    name: 'plksr-x2-iccm-noattn',
    spec: { arch: 'plksr', scale: 2, options: { dim: 8, blocks: 1, kernel: 5, split_ratio: 0.5, attention: 0, mixer: 'iccm' } },
    description: 'PLKSR, 1 block, 8 channels, ICCM, 5x5 kernel on 4, no attention, x2',
  },
  {
    name: 'swinir-x2-pixelshuffle',
    spec: { arch: 'swinir', scale: 2, options: swinir({ embed_dim: 16, groups: 2, depth: 2, heads: 2, window: 4, num_feat: 8, img_size: 16 }) },
    description: 'SwinIR, small, 2 groups of 2 blocks, 16 channels, 2 heads, window 4, pixelshuffle, x2',
  },
  {
    name: 'swinir-x3-pixelshuffle-3conv',
    spec: { arch: 'swinir', scale: 3, options: swinir({ embed_dim: 16, groups: 1, depth: 2, heads: 4, window: 4, mlp_ratio: 1.5, resi_connection: '3conv', num_feat: 8, img_size: 16 }) },
    description: 'SwinIR, small, 1 group of 2 blocks, 16 channels, 4 heads, window 4, pixelshuffle, x3',
  },
  {
    name: 'swinir-x4-direct',
    spec: { arch: 'swinir', scale: 4, options: swinir({ embed_dim: 12, groups: 2, depth: 2, heads: 3, window: 4, upsampler: 'pixelshuffledirect', patch_norm: 0, img_size: 16 }) },
    description: 'SwinIR, small, 2 groups of 2 blocks, 12 channels, 3 heads, window 4, pixelshuffledirect, x4',
  },
  {
    name: 'swinir-x4-nearest',
    spec: { arch: 'swinir', scale: 4, options: swinir({ embed_dim: 8, groups: 1, depth: 2, heads: 2, window: 4, upsampler: 'nearest+conv', num_feat: 6, qkv_bias: 0, img_size: 16 }) },
    description: 'SwinIR, small, 1 group of 2 blocks, 8 channels, 2 heads, window 4, nearest+conv, x4',
  },
  {
    name: 'swinir-x1-jpeg',
    spec: { arch: 'swinir', scale: 1, options: swinir({ embed_dim: 8, groups: 1, depth: 2, heads: 2, window: 7, upsampler: 'none', img_range: 255, img_size: 14 }) },
    description: 'SwinIR, small, 1 group of 2 blocks, 8 channels, 2 heads, window 7, none, x1',
  },
];

describe('architectures read from reference-layout PyTorch files match PyTorch', () => {
  for (const fixture of CASES) {
    it(`${fixture.name}: detected with every hyper-parameter, and equal to PyTorch at two sizes`, () => expectFixtureMatchesPytorch(fixture));
  }
});
