import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import type { Value } from '../../src/graph/value.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { unetDiscriminator } from '../../src/nn/networks/unetDiscriminator.js';
import { vggDiscriminator } from '../../src/nn/networks/vggDiscriminator.js';
import { runGraph } from '../graph/runGraph.js';

// Logits PyTorch computed for the same small networks, weights and input:
// test/fixtures/discriminators/make_forward_fixtures.py (BasicSR's definitions re-typed).
const fixture = JSON.parse(readFileSync(new URL('../fixtures/discriminators/forward.json', import.meta.url), 'utf8'));

type Network = (ctx: BuildContext, x: Value) => Value;

/** The fixture script's `fill`: deterministic contents by state-dict name and sorted position. */
function fill(state: StateDict): void {
  [...state.keys()].sort().forEach((name, position) => {
    const tensor = state.get(name)!;
    const wave = Float32Array.from({ length: tensor.data.length }, (_, k) => Math.sin(0.37 * k + position));
    let data: Float32Array;
    if (name.endsWith('running_var')) data = wave.map((w) => 1 + 0.5 * w * w);
    else if (name.endsWith('running_mean') || name.endsWith('bias')) data = wave.map((w) => 0.1 * w);
    else if (tensor.shape.length === 1) data = name.startsWith('bn') ? wave.map((w) => 1 + 0.2 * w) : wave;
    else data = wave.map((w) => (w * 1.5) / Math.sqrt(wave.length / tensor.shape[0]));
    state.set(name, { ...tensor, data });
  });
}

function image(shape: number[]): Float32Array {
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => 0.5 + 0.5 * Math.sin(0.11 * k * k + 0.3 * k));
}

/** Build once to create the tensors, fill them, then build the graph to run in the given mode. */
function prepare(network: Network, shape: number[], training: boolean) {
  const state: StateDict = new Map();
  const scratch = new Graph();
  network(BuildContext.create(scratch, state, { training: false }), scratch.input('x', 'float32', shape));
  fill(state);
  const graph = new Graph();
  const input = graph.input('x', 'float32', shape);
  const ctx = BuildContext.create(graph, state, { training });
  const out = network(ctx, input);
  // In training, buffers are inputs: feed the stored ones.
  const buffers = ctx.bufferUpdates.map((b): [Value, Float32Array] => [b.input, state.get(b.name)!.data as Float32Array]);
  return { feeds: [[input, image(shape)] as [Value, Float32Array], ...buffers], out, ctx };
}

function expectClose(actual: Float32Array, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((x, i) => expect(Math.abs(x - expected[i]) / scale, `element ${i}: ${x} vs ${expected[i]}`).toBeLessThan(tolerance));
}

describe('discriminators compute what PyTorch computes', () => {
  it("BasicSR's VGGStyleDiscriminator (evaluation: running statistics)", async () => {
    const { feeds, out } = prepare((ctx, x) => vggDiscriminator(ctx, x, { inputSize: 32, features: 2 }), fixture.vgg.input, false);
    const [logits] = await runGraph(feeds, [out]);
    expectClose(logits, fixture.vgg.logits, 1e-5);
  });

  const unet: Network = (ctx, x) => unetDiscriminator(ctx, x, { features: 2 });

  it('UNetDiscriminatorSN in evaluation: the stored u and v', async () => {
    const { feeds, out } = prepare(unet, fixture.unet.input, false);
    const [logits] = await runGraph(feeds, [out]);
    expectClose(logits, fixture.unet.evaluation, 1e-5);
  });

  it("UNetDiscriminatorSN in training: one power-iteration step, u updated as PyTorch's", async () => {
    const { feeds, out, ctx } = prepare(unet, fixture.unet.input, true);
    const u = ctx.bufferUpdates.find((b) => b.name === 'conv3.weight_u')!.output;
    const [logits, nextU] = await runGraph(feeds, [out, u]);
    expectClose(logits, fixture.unet.training, 1e-5);
    expectClose(nextU, fixture.unet['conv3.weight_u'], 1e-5);
  });
});
