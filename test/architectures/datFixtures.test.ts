import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rectangleShiftMask, windowOffsetIndex, windowOffsets } from '../../src/architectures/dat/rectangleWindows.js';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { expectFixtureMatchesPytorch, fixtures, type FixtureCase } from './fixtureRunner.js';

/** DAT options as detection writes them: every hyper-parameter, the defaults of the reference spelled out. */
function dat(o: Record<string, number | string>): Record<string, number | string> {
  return { resi_connection: '1conv', upsampler: 'pixelshuffle', num_feat: 64, qkv_bias: 1, img_size: 64, ...o };
}

// test/fixtures/architectures/dat_reference.py
const CASES: FixtureCase[] = [
  {
    name: 'dat-x2-pixelshuffle',
    spec: { arch: 'dat', scale: 2, options: dat({ embed_dim: 32, groups: 1, depth: 3, heads: 4, expansion_factor: 2, split_h: 2, split_w: 4, num_feat: 4, img_size: 16 }) },
    description: 'DAT, light, 1 group of 3 blocks, 32 channels, 4 heads, window 2x4, expansion 2, pixelshuffle, x2',
  },
  {
    name: 'dat-x3-direct-3conv',
    spec: {
      arch: 'dat',
      scale: 3,
      options: dat({ embed_dim: 32, groups: 2, depth: 1, heads: 2, expansion_factor: 1.5, split_h: 4, split_w: 8, resi_connection: '3conv', upsampler: 'pixelshuffledirect', qkv_bias: 0, img_size: 8 }),
    },
    description: 'DAT, light, 2 groups of 1 block, 32 channels, 2 heads, window 4x8, expansion 1.5, pixelshuffledirect, x3',
  },
];

const load = (name: string) => readPytorchStateDict(join(fixtures, `${name}.pth`));

describe('DAT read from reference-layout PyTorch files matches PyTorch', () => {
  for (const fixture of CASES) {
    it(`${fixture.name}: detected with every hyper-parameter, and equal to PyTorch at two sizes`, () => expectFixtureMatchesPytorch(fixture));
  }

  it('the offsets, offset index and masks it rebuilds are the ones stored in the files', async () => {
    const state = await load('dat-x3-direct-3conv');
    const values = (key: string) => Array.from(state.get(key)!.data as Float32Array);
    const integers = (key: string) => Array.from(state.get(key)!.data as BigInt64Array, Number);
    for (const [i, [hs, ws]] of [[4, 8], [8, 4]].entries()) {
      const attns = `layers.1.blocks.0.attn.attns.${i}`;
      expect(values(`${attns}.rpe_biases`)).toEqual(Array.from(windowOffsets(hs, ws)));
      expect(integers(`${attns}.relative_position_index`)).toEqual(windowOffsetIndex(hs, ws));
      // the training patch (8x8), shifted by half of the half's window
      expect(values(`layers.1.blocks.0.attn.attn_mask_${i}`)).toEqual(Array.from(rectangleShiftMask(8, 8, hs, ws, hs / 2, ws / 2)));
    }
  });
});

describe('DAT files enhance cannot run are refused in one line', () => {
  const modified = async (name: string, change: (state: StateDict) => void) => {
    const state = await load(name);
    change(state);
    return () => detectArchitecture(state, `${name}.pth`);
  };

  it('a model for other than RGB pictures', async () => {
    const detect = await modified('dat-x2-pixelshuffle', (state) => {
      const weight = state.get('conv_first.weight')!;
      state.set('conv_first.weight', { ...weight, shape: [32, 1, 3, 3], data: (weight.data as Float32Array).slice(0, 32 * 9) });
    });
    expect(detect).toThrow(/'conv_first.weight' gives it 1 input channels; only RGB/);
  });

  it('groups of different depths', async () => {
    const detect = await modified('dat-x3-direct-3conv', (state) => {
      for (const [key, tensor] of [...state]) if (key.startsWith('layers.0.blocks.0.')) state.set(key.replace('layers.0.blocks.0.', 'layers.1.blocks.1.'), tensor);
    });
    expect(detect).toThrow(/its groups have different depths \(1, 2\)/);
  });
});
