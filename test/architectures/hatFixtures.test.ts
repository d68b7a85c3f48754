import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { expectFixtureMatchesPytorch, fixtures, type FixtureCase } from './fixtureRunner.js';

/** HAT options as detection writes them: every hyper-parameter, the reference's defaults spelled out. */
function hat(o: Record<string, number | string>): Record<string, number | string> {
  return { conv_scale: 0.01, img_range: 1, mlp_ratio: 2, upsampler: 'pixelshuffle', resi_connection: '1conv', patch_norm: 1, qkv_bias: 1, ...o };
}

// test/fixtures/architectures/hat_reference.py writes these (checked there against spandrel's own HAT).
const CASES: FixtureCase[] = [
  {
    name: 'hat-x2',
    spec: { arch: 'hat', scale: 2, options: hat({ embed_dim: 16, groups: 2, depth: 2, heads: 2, window: 4, overlap_ratio: 0.5, compress_ratio: 2, squeeze_factor: 4, num_feat: 8 }) },
    description: 'HAT, medium (HAT), 2 groups of 2 blocks, 16 channels, 2 heads, window 4, overlap window 6, x2',
  },
  {
    name: 'hat-x3-identity',
    spec: {
      arch: 'hat',
      scale: 3,
      options: hat({ embed_dim: 12, groups: 1, depth: 2, heads: 3, window: 8, overlap_ratio: 0.25, compress_ratio: 6, squeeze_factor: 3, mlp_ratio: 1.5, resi_connection: 'identity', num_feat: 6 }),
    },
    description: 'HAT, small (HAT-S), 1 group of 2 blocks, 12 channels, 3 heads, window 8, overlap window 10, x3',
  },
  {
    name: 'hat-x4-nobias',
    spec: { arch: 'hat', scale: 4, options: hat({ embed_dim: 8, groups: 1, depth: 3, heads: 2, window: 4, overlap_ratio: 1, compress_ratio: 4, squeeze_factor: 2, num_feat: 8, patch_norm: 0, qkv_bias: 0 }) },
    description: 'HAT, medium (HAT), 1 group of 3 blocks, 8 channels, 2 heads, window 4, overlap window 8, x4',
  },
];

describe('HAT read from reference-layout PyTorch files matches PyTorch', () => {
  for (const fixture of CASES) {
    it(`${fixture.name}: detected with every hyper-parameter, and equal to PyTorch at two sizes`, () => expectFixtureMatchesPytorch(fixture));
  }
});

describe('HAT files enhance cannot run are refused in one line', () => {
  const file = join(fixtures, 'hat-x2.pth');
  /** hat-x2.pth changed by `edit`, then detected. */
  async function detectEdited(edit: (state: StateDict) => void) {
    const state = await readPytorchStateDict(file);
    edit(state);
    return () => detectArchitecture(state, file);
  }

  it('an absolute position embedding (it fixes the picture size)', async () => {
    const detect = await detectEdited((state) => state.set('absolute_pos_embed', state.get('conv_first.bias')!));
    expect(detect).toThrow(/absolute position embedding/);
  });

  it('groups of different depths', async () => {
    const detect = await detectEdited((state) => {
      for (const key of [...state.keys()]) if (key.startsWith('layers.1.residual_group.blocks.1.')) state.delete(key);
    });
    expect(detect).toThrow(/groups have different depths \(2, 1\)/);
  });

  it('no pixel-shuffle reconstruction', async () => {
    const detect = await detectEdited((state) => state.delete('conv_before_upsample.0.weight'));
    expect(detect).toThrow(/only HAT's pixelshuffle reconstruction/);
  });

  it('cross-attention windows that are not centred on the windows', async () => {
    // window 4 with overlapping windows of 5: a table of (4 + 5 - 1)^2 rows
    const detect = await detectEdited((state) => {
      for (const g of [0, 1]) {
        const key = `layers.${g}.residual_group.overlap_attn.relative_position_bias_table`;
        state.set(key, { ...state.get(key)!, shape: [64, 2], data: new Float32Array(128) });
      }
    });
    expect(detect).toThrow(/not centred/);
  });
});
