import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import type { Value } from '../../src/graph/value.js';
import { ARCHITECTURE_NAMES, buildNetwork } from '../../src/architectures/registry.js';
import { BuildContext } from '../../src/nn/buildContext.js';
import { rrdbnet } from '../../src/architectures/rrdbnet/network.js';
import { srcnn } from '../../src/architectures/srcnn/network.js';
import { srresnet } from '../../src/architectures/srresnet/network.js';
import { srvggCompact } from '../../src/architectures/srvggCompact/network.js';

function build(network: (ctx: BuildContext, x: Value) => Value, inputShape: number[]) {
  const graph = new Graph();
  const state = new Map();
  const out = network(BuildContext.create(graph, state, { training: false }), graph.input('x', 'float32', inputShape));
  const parameters = graph.parameters.reduce((n, p) => n + (p.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return { out, parameters };
}

describe('networks have their published parameter counts and output shapes', () => {
  it('SRCNN 9-5-5 on the Y channel: 57,281 parameters', () => {
    const { out, parameters } = build((ctx, x) => srcnn(ctx, x, { channels: 1, scale: 3 }), [1, 1, 11, 13]);
    expect(parameters).toBe(57281);
    expect(out.shape).toEqual([1, 1, 33, 39]);
  });

  it('SRCNN 9-1-5 on the Y channel: 8,129 parameters', () => {
    expect(build((ctx, x) => srcnn(ctx, x, { channels: 1, kernels: [9, 1, 5] }), [1, 1, 8, 8]).parameters).toBe(8129);
  });

  it('SRResNet with 16 blocks: 1,549,462 parameters (~1.5M), x4', () => {
    const { out, parameters } = build((ctx, x) => srresnet(ctx, x), [2, 3, 12, 10]);
    expect(parameters).toBe(1549462);
    expect(out.shape).toEqual([2, 3, 48, 40]);
  });

  it('RRDBNet 23 blocks / 64 features / growth 32: 16,697,987 parameters, x4', () => {
    const { out, parameters } = build((ctx, x) => rrdbnet(ctx, x), [1, 3, 8, 8]);
    expect(parameters).toBe(16697987);
    expect(out.shape).toEqual([1, 3, 32, 32]);
  });

  it('the SRVGG-compact default (48 features, 10 convs): 230,496 parameters, x4 and x2', () => {
    expect(build((ctx, x) => srvggCompact(ctx, x), [1, 3, 8, 8]).parameters).toBe(230496);
    expect(build((ctx, x) => srvggCompact(ctx, x, { scale: 2 }), [1, 3, 8, 8]).out.shape).toEqual([1, 3, 16, 16]);
  });

  for (const arch of ARCHITECTURE_NAMES) {
    it(`${arch} enlarges a 16x16 input to 64x64 at x4`, () => {
      const options: Record<string, number> = arch === 'rrdbnet' ? { blocks: 1 } : arch === 'srresnet' ? { blocks: 2 } : {};
      const { out } = build((ctx, x) => buildNetwork({ arch, scale: 4, options }, ctx, x), [1, 3, 16, 16]);
      expect(out.shape).toEqual([1, 3, 64, 64]);
    });
  }
});
