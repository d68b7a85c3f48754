import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { expectFixtureMatchesPytorch, fixtures, type FixtureCase } from './fixtureRunner.js';

/** OmniSR options as detection writes them: every hyper-parameter, the published defaults spelled out. */
function omnisr(o: Record<string, number>): Record<string, number> {
  return { num_feat: 64, res_num: 5, block_num: 1, window: 8, pe: 1, bias: 1, ...o };
}

const CASES: FixtureCase[] = [
  {
    name: 'omnisr-x4',
    spec: { arch: 'omnisr', scale: 4, options: omnisr({ num_feat: 8, res_num: 2, window: 4 }) },
    description: 'OmniSR, 2 groups of 1 block, 8 features, window 4, x4',
  },
  {
    name: 'omnisr-x2-nope',
    spec: { arch: 'omnisr', scale: 2, options: omnisr({ num_feat: 12, res_num: 1, block_num: 2, pe: 0, bias: 0 }) },
    description: 'OmniSR, 1 group of 2 blocks, 12 features, window 8 (assumed), no position bias, no biases, x2',
  },
  {
    name: 'omnisr-x3-w5',
    spec: { arch: 'omnisr', scale: 3, options: omnisr({ num_feat: 8, res_num: 1, window: 5 }) },
    description: 'OmniSR, 1 group of 1 block, 8 features, window 5, x3',
  },
];

describe('OmniSR read from reference-layout PyTorch files matches PyTorch', () => {
  for (const fixture of CASES) {
    it(`${fixture.name}: detected with every hyper-parameter, and equal to PyTorch at two sizes`, () => expectFixtureMatchesPytorch(fixture));
  }
});

describe('OmniSR files enhance cannot run are refused in one line', () => {
  const state = () => readPytorchStateDict(join(fixtures, 'omnisr-x4.pth'));
  const withInput = (s: StateDict, inChannels: number, features: number): StateDict => {
    const shape = [features, inChannels, 3, 3];
    return new Map(s).set('input.weight', { ...s.get('input.weight')!, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  };

  it('a model whose input is not RGB', async () => {
    const gray = withInput(await state(), 1, 8);
    expect(() => detectArchitecture(gray)).toThrow(/'input.weight' gives it 1 input channels; only RGB/);
  });

  it('features that do not split into the 4 attention heads', async () => {
    const odd = withInput(await state(), 3, 10);
    expect(() => detectArchitecture(odd)).toThrow(/10 features, not a multiple of 4/);
  });

  it('a position-bias table that is not (2 window - 1)^2 rows', async () => {
    const s = await state();
    const key = 'residual_layer.0.residual_layer.0.layer.2.fn.rel_pos_bias.weight';
    const broken = new Map(s).set(key, { ...s.get(key)!, shape: [50, 4], data: new Float32Array(200) });
    expect(() => detectArchitecture(broken)).toThrow(/has 50 rows, not \(2 window - 1\)\^2/);
  });
});
