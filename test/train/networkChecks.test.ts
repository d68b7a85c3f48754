import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { ARCHITECTURE_NAMES, architectureNamed, buildNetwork, type ArchitectureName } from '../../src/architectures/registry.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';

/** Small options for every architecture (each option away from its default, so each term of a count matters). */
const SMALL_OPTIONS: Record<ArchitectureName, Record<string, number | string>[]> = {
  srcnn: [{ k1: 3, k2: 1, k3: 5, f1: 6, f2: 4 }],
  autoencoder: [{ features: 4, depth: 1 }, { features: 3, depth: 3 }],
  unet: [{ features: 4, depth: 1 }, { features: 3, depth: 2, learned_upsampler: 1 }],
  'srvgg-compact': [{ features: 5, convs: 1 }, { features: 4, convs: 3 }],
  srresnet: [{ features: 4, blocks: 1 }, { features: 3, blocks: 2 }],
  rrdbnet: [{ features: 4, blocks: 1, growth: 2 }, { features: 3, blocks: 2, growth: 5, upsamplings: 3 }],
  msrresnet: [{ features: 4, blocks: 1 }, { features: 5, blocks: 3 }],
  edsr: [{ features: 4, blocks: 1 }, { features: 6, blocks: 2, res_scale: 0.1 }],
  span: [{ features: 4 }, { features: 5, normalise: 0 }],
  realplksr: [{ dim: 8, blocks: 1, kernel: 5, norm_groups: 2 }, { dim: 8, blocks: 2, kernel: 3, split_ratio: 0.5, attention: 0 }],
  plksr: [{ dim: 8, blocks: 1, kernel: 5 }, { dim: 8, blocks: 2, kernel: 3, split_ratio: 0.5, attention: 0, mixer: 'iccm' }],
  swinir: [
    { embed_dim: 8, groups: 1, depth: 2, heads: 2, window: 4, num_feat: 8 },
    { embed_dim: 8, groups: 2, depth: 1, heads: 1, window: 4, upsampler: 'pixelshuffledirect', resi_connection: '3conv', mlp_ratio: 1.5 },
    { embed_dim: 4, groups: 1, depth: 2, heads: 1, window: 4, upsampler: 'nearest+conv', num_feat: 4, patch_norm: 0, qkv_bias: 0 },
  ],
  dat: [
    { embed_dim: 32, groups: 1, depth: 3, heads: 4, expansion_factor: 2, split_h: 2, split_w: 4, num_feat: 4, img_size: 16 },
    { embed_dim: 32, groups: 2, depth: 1, heads: 2, expansion_factor: 1.5, split_h: 4, split_w: 8, upsampler: 'pixelshuffledirect', resi_connection: '3conv', qkv_bias: 0 },
  ],
  omnisr: [
    { num_feat: 8, res_num: 1, block_num: 1, window: 4 },
    { num_feat: 4, res_num: 2, block_num: 2, window: 8, pe: 0, bias: 0 },
  ],
  hat: [
    { embed_dim: 8, groups: 1, depth: 2, heads: 2, window: 4, compress_ratio: 2, squeeze_factor: 4, num_feat: 8 },
    { embed_dim: 6, groups: 2, depth: 1, heads: 3, window: 4, overlap_ratio: 1, compress_ratio: 4, squeeze_factor: 2, mlp_ratio: 1.5, resi_connection: 'identity', num_feat: 4, patch_norm: 0, qkv_bias: 0 },
  ],
};
const SCALES = [2, 3, 4, 8];

const architecture = (arch: ArchitectureName) => architectureNamed(arch)!;
const parsed = (arch: ArchitectureName, options: Record<string, number | string>) => architecture(arch).options.parse(options);
const networkStateElements = (arch: ArchitectureName, scale: number, options: Record<string, number | string>) => architecture(arch).stateElements(options, scale);
const architectureMisfit = (arch: ArchitectureName, options: Record<string, number | string>, scale: number, lrPatch: number) => architecture(arch).trainingMisfit?.(options, scale, lrPatch);

/** Build the network for training on an LR patch; the state it made, or undefined when it cannot be built. */
function build(arch: ArchitectureName, options: Record<string, number | string>, scale: number, lrPatch: number): StateDict | undefined {
  const graph = new Graph();
  const state: StateDict = new Map();
  try {
    buildNetwork({ arch, scale, options }, BuildContext.create(graph, state, { training: true }), graph.input('lr', 'float32', [1, 3, lrPatch, lrPatch]));
  } catch {
    return undefined;
  }
  return state;
}

const elementsOf = (state: StateDict) => [...state.values()].reduce((sum, tensor) => sum + tensor.data.length, 0);

describe('network sizes are known before a network is built', () => {
  for (const arch of ARCHITECTURE_NAMES) {
    it(`${arch}: the count from its options equals the elements of the tensors it builds`, () => {
      let compared = 0;
      for (const options of SMALL_OPTIONS[arch].map((o) => parsed(arch, o))) {
        for (const scale of SCALES) {
          const state = build(arch, options, scale, 16);
          if (!state) continue;
          expect(networkStateElements(arch, scale, options), `${JSON.stringify(options)} x${scale}`).toBe(elementsOf(state));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('the published RRDBNet (16,697,987 parameters at x4) is counted as such', () => {
    expect(networkStateElements('rrdbnet', 4, parsed('rrdbnet', {}))).toBe(16_697_987);
  });
});

describe('the scales and patch sizes an architecture can train at are known before it is built', () => {
  for (const arch of ARCHITECTURE_NAMES) {
    it(`${arch}: the config check accepts exactly what builds`, () => {
      for (const options of SMALL_OPTIONS[arch].map((o) => parsed(arch, o))) {
        for (const scale of SCALES) {
          for (const lrPatch of [8, 9, 12]) {
            const accepted = architectureMisfit(arch, options, scale, lrPatch) === undefined;
            expect(accepted, `${JSON.stringify(options)} x${scale}, LR patch ${lrPatch}`).toBe(build(arch, options, scale, lrPatch) !== undefined);
          }
        }
      }
    });
  }
});
