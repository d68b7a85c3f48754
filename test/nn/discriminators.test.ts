import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { concat, split } from '../../src/graph/ops/shape.js';
import type { Value } from '../../src/graph/value.js';
import { relativisticAverageDiscriminatorLoss, vanillaGeneratorLoss } from '../../src/losses/adversarialLosses.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { conv2d } from '../../src/nn/conv2d.js';
import { unetDiscriminator } from '../../src/nn/networks/unetDiscriminator.js';
import { vggDiscriminator } from '../../src/nn/networks/vggDiscriminator.js';
import { sgd } from '../../src/optim/sgd.js';
import { toOrtTensor } from '../../src/runtime/session.js';
import { Trainer } from '../../src/runtime/trainer.js';
import { compileTrainingStep } from '../../src/runtime/trainingStep.js';
import { randomFill } from '../autodiff/gradcheck.js';
import { maxAbsDifference } from '../helpers.js';
import { runGraph } from '../graph/runGraph.js';

type Network = (ctx: BuildContext, x: Value) => Value;

function build(network: Network, inputShape: number[], state: StateDict = new Map()) {
  const graph = new Graph();
  const input = graph.input('x', 'float32', inputShape);
  const out = network(BuildContext.create(graph, state, { training: false }), input);
  const parameters = graph.parameters.reduce((n, p) => n + (p.shape as number[]).reduce((a, b) => a * b, 1), 0);
  return { graph, input, out, parameters, state };
}

// Parameter counts from test/fixtures/discriminators/parameter_counts.py: PyTorch modules re-typed from
// BasicSR's basicsr/archs/discriminator_arch.py and SRGAN's Figure 4, counted by torch.
describe('discriminators have their published parameter counts and output shapes', () => {
  it("ESRGAN's VGG-style discriminator (BasicSR VGGStyleDiscriminator, 128x128): 14,499,401 parameters, one logit per image", () => {
    const { out, parameters } = build((ctx, x) => vggDiscriminator(ctx, x), [2, 3, 128, 128]);
    expect(parameters).toBe(14499401);
    expect(out.shape).toEqual([2, 1]);
  });

  it('at 256x256 it has a sixth stage, as BasicSR: 21,055,049 parameters', () => {
    const { parameters, state } = build((ctx, x) => vggDiscriminator(ctx, x, { inputSize: 256 }), [1, 3, 256, 256]);
    expect(parameters).toBe(21055049);
    expect(state.has('conv5_1.weight')).toBe(true);
  });

  it("SRGAN's discriminator (k3n64s1 ... k3n512s2, dense 1024): 23,563,649 parameters at 96x96, 38,243,713 at 128x128", () => {
    expect(build((ctx, x) => vggDiscriminator(ctx, x, { layout: 'srgan' }), [1, 3, 96, 96]).parameters).toBe(23563649);
    const large = build((ctx, x) => vggDiscriminator(ctx, x, { layout: 'srgan', inputSize: 128 }), [2, 3, 128, 128]);
    expect(large.parameters).toBe(38243713);
    expect(large.out.shape).toEqual([2, 1]);
  });

  it("Real-ESRGAN's UNetDiscriminatorSN: 4,376,897 parameters, one logit per pixel at 96 and 128", () => {
    const { out, parameters } = build((ctx, x) => unetDiscriminator(ctx, x), [2, 3, 128, 128]);
    expect(parameters).toBe(4376897);
    expect(out.shape).toEqual([2, 1, 128, 128]);
    expect(build((ctx, x) => unetDiscriminator(ctx, x), [1, 3, 96, 96]).out.shape).toEqual([1, 1, 96, 96]);
  });

  it('the dense head follows the input size: 96x96 patches in the ESRGAN layout end in 3x3x512', () => {
    const { out, state } = build((ctx, x) => vggDiscriminator(ctx, x, { inputSize: 96 }), [1, 3, 96, 96]);
    expect(out.shape).toEqual([1, 1]);
    expect(state.get('linear1.weight')!.shape).toEqual([100, 512 * 3 * 3]);
  });
});

describe('discriminators use BasicSR state-dict names', () => {
  it('VGG-style: conv0_0 (with bias), conv0_1 + bn0_1 (no conv bias), ..., linear1, linear2', () => {
    const { state } = build((ctx, x) => vggDiscriminator(ctx, x), [1, 3, 128, 128]);
    const names = [...state.keys()];
    expect(names.slice(0, 8)).toEqual([
      'conv0_0.weight',
      'conv0_0.bias',
      'conv0_1.weight',
      'bn0_1.weight',
      'bn0_1.bias',
      'bn0_1.running_mean',
      'bn0_1.running_var',
      'conv1_0.weight',
    ]);
    expect(state.get('conv0_1.weight')!.shape).toEqual([64, 64, 4, 4]);
    expect(state.get('conv4_1.weight')!.shape).toEqual([512, 512, 4, 4]);
    expect(state.get('linear1.weight')!.shape).toEqual([100, 8192]);
    expect(state.get('linear2.weight')!.shape).toEqual([1, 100]);
  });

  it('without batch norm the convs carry biases and there are no buffers', () => {
    const { state, parameters } = build((ctx, x) => vggDiscriminator(ctx, x, { batchNorm: false }), [1, 3, 128, 128]);
    expect([...state.keys()].some((name) => name.startsWith('bn'))).toBe(false);
    expect(state.get('conv3_1.bias')!.shape).toEqual([512]);
    expect(parameters).toBe([...state.values()].reduce((n, t) => n + t.data.length, 0));
  });

  it('U-Net: conv0 and conv9 plain, conv1..conv8 spectrally normalised (weight_orig, weight_u, weight_v)', () => {
    const { state } = build((ctx, x) => unetDiscriminator(ctx, x), [1, 3, 64, 64]);
    expect(state.get('conv0.bias')!.shape).toEqual([64]);
    expect(state.get('conv1.weight_orig')!.shape).toEqual([128, 64, 4, 4]);
    expect(state.get('conv1.weight_u')!.shape).toEqual([128]);
    expect(state.get('conv1.weight_v')!.shape).toEqual([64 * 16]);
    expect(state.has('conv1.bias')).toBe(false);
    expect(state.get('conv8.weight_orig')!.shape).toEqual([64, 64, 3, 3]);
    expect(state.get('conv9.weight')!.shape).toEqual([1, 64, 3, 3]);
  });

  it('an input of the wrong size is refused where the discriminator is built', () => {
    expect(() => build((ctx, x) => vggDiscriminator(ctx, x), [1, 3, 96, 96])).toThrow(/\[N, 3, 128, 128\]/);
    expect(() => build((ctx, x) => vggDiscriminator(ctx, x, { inputSize: 100 }), [1, 3, 100, 100])).toThrow(/multiple of 32/);
    expect(() => build((ctx, x) => unetDiscriminator(ctx, x), [1, 3, 60, 60])).toThrow(/multiples of 8/);
  });
});

const small = {
  vgg: ((ctx, x) => vggDiscriminator(ctx, x, { inputSize: 32, features: 4, denseFeatures: 8 })) as Network,
  unet: ((ctx, x) => unetDiscriminator(ctx, x, { features: 4 })) as Network,
};

describe('discriminators as frozen networks (the generator step of a GAN)', () => {
  for (const [name, network] of Object.entries(small)) {
    it(`${name}: built frozen, its tensors are inputs and its logits equal the trainable build's`, async () => {
      const x = randomFill(2 * 3 * 32 * 32, 5).map((v) => (v + 1) / 2);
      const trained = build(network, [2, 3, 32, 32]);
      const [expected] = await runGraph([[trained.input, x]], [trained.out]);

      const graph = new Graph();
      const input = graph.input('x', 'float32', [2, 3, 32, 32]);
      const ctx = BuildContext.frozen(graph, trained.state, { training: false });
      const out = network(ctx, input);
      expect(graph.parameters).toEqual([]);
      expect(ctx.frozenInputs!.map((v) => v.name).sort()).toEqual([...trained.state.keys()].map((k) => `frozen.${k}`).sort());
      const feeds: [Value, Float32Array][] = ctx.frozenInputs!.map((v) => [v, trained.state.get(v.name.slice('frozen.'.length))!.data as Float32Array]);
      const [actual] = await runGraph([[input, x], ...feeds], [out]);
      // Relative: before any power iteration, sigma from random u and v is tiny and the U-Net's logits huge (as in PyTorch).
      const scale = Math.max(...Array.from(expected, Math.abs));
      expect(maxAbsDifference(actual, expected) / scale).toBeLessThan(1e-5);
    });
  }

  it("a generator step with the U-Net frozen in training mode runs, and leaves the discriminator's u and v alone", async () => {
    const dState: StateDict = new Map();
    build(small.unet, [1, 3, 32, 32], dState);
    const gState: StateDict = new Map();
    const compiled = compileTrainingStep({
      build: (ctx) => {
        const lr = ctx.graph.input('lr', 'float32', [2, 3, 32, 32]);
        const frozen = BuildContext.frozen(ctx.graph, dState, { training: true });
        const fake = conv2d(ctx, 'g', lr, 3, 3, { kernel: 3 });
        return { data: [lr], loss: vanillaGeneratorLoss(small.unet(frozen, fake)), frozen: frozen.frozenInputs };
      },
      optimizer: sgd(),
      state: gState,
    });
    expect(compiled.buffers).toEqual([]);
    expect(compiled.frozen).toContain('frozen.conv1.weight_u');
    const trainer = await Trainer.create(compiled, gState, { threads: 1 });
    const frozen = new Map([...dState].map(([name, tensor]) => [name, toOrtTensor(tensor)]));
    const { loss } = await trainer.step({ lr: { dtype: 'float32', shape: [2, 3, 32, 32], data: randomFill(2 * 3 * 32 * 32, 8) } }, 0.1, frozen);
    expect(Number.isFinite(loss)).toBe(true);
    expect(trainer.stateDict().get('g.weight')!.data).not.toEqual(gState.get('g.weight')!.data);
    await trainer.release();
  });
});

describe('discriminator training steps', () => {
  // Real and generated patches go through the discriminator as one batch: a network is built once per graph.
  async function discriminatorStep(network: Network) {
    const state: StateDict = new Map();
    const compiled = compileTrainingStep({
      build: (ctx) => {
        const real = ctx.graph.input('real', 'float32', [2, 3, 32, 32]);
        const fake = ctx.graph.input('fake', 'float32', [2, 3, 32, 32]);
        const logits = network(ctx, concat([real, fake], 0));
        const [onReal, onFake] = split(logits, 0, [2, 2]);
        return { data: [real, fake], loss: relativisticAverageDiscriminatorLoss(onReal, onFake) };
      },
      optimizer: sgd(),
      state,
    });
    const before = new Map([...state].map(([name, tensor]) => [name, (tensor.data as Float32Array).slice()]));
    const trainer = await Trainer.create(compiled, state, { threads: 1 });
    const batch = (seed: number) => ({ dtype: 'float32' as const, shape: [2, 3, 32, 32], data: randomFill(2 * 3 * 32 * 32, seed) });
    const { loss } = await trainer.step({ real: batch(1), fake: batch(2) }, 0.01);
    const after = trainer.stateDict();
    await trainer.release();
    return { compiled, loss, changed: (name: string) => maxAbsDifference(after.get(name)!.data as Float32Array, before.get(name)!) > 0 };
  }

  it('VGG-style: batch-norm running statistics are buffers the step updates', async () => {
    const { compiled, loss, changed } = await discriminatorStep(small.vgg);
    expect(compiled.buffers).toContain('bn0_1.running_mean');
    expect(loss).toBeCloseTo(2 * Math.log(2), 0);
    expect(changed('bn0_1.running_mean')).toBe(true);
    expect(changed('linear2.weight')).toBe(true);
  });

  it("U-Net: spectral norm's u and v are buffers the step updates", async () => {
    const { compiled, loss, changed } = await discriminatorStep(small.unet);
    expect(compiled.buffers.sort()).toEqual(
      ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6', 'conv7', 'conv8'].flatMap((c) => [`${c}.weight_u`, `${c}.weight_v`]).sort(),
    );
    expect(Number.isFinite(loss)).toBe(true);
    expect(changed('conv4.weight_u')).toBe(true);
    expect(changed('conv4.weight_orig')).toBe(true);
  });
});
