import { describe, expect, it } from 'vitest';
import { grad } from '../../src/autodiff/grad.js';
import { Graph } from '../../src/graph/graph.js';
import { serializeModel } from '../../src/graph/onnx/serializeModel.js';
import { float32Tensor } from '../../src/graph/tensorData.js';
import type { Value } from '../../src/graph/value.js';
import { gradientPenalty, interpolateSamples } from '../../src/losses/adversarialLosses.js';
import { BuildContext, FROZEN_PREFIX, type StateDict } from '../../src/nn/buildContext.js';
import { vggDiscriminator } from '../../src/nn/networks/vggDiscriminator.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { randomFill } from '../autodiff/gradcheck.js';

const SHAPE = [2, 1, 16, 16];

/**
 * A whole (tiny) VGG-style critic: the SRGAN layout, 1 input channel, widths 1-2-4-8, 16x16 patches,
 * no batch norm (WGAN-GP's penalty is per sample). Its weights are graph inputs (a frozen build), so
 * they can be perturbed. Also returns every LeakyReLU's input: the penalty is smooth only while none
 * of them changes sign, so a finite difference is trusted only when the sign pattern stays put.
 */
function buildCritic() {
  const graph = new Graph();
  const state: StateDict = new Map();
  const ctx = BuildContext.frozen(graph, state, { training: true });
  const real = graph.constant(float32Tensor(randomFill(2 * 256, 3), SHAPE));
  const fake = graph.constant(float32Tensor(randomFill(2 * 256, 4), SHAPE));
  const epsilon = graph.constant(float32Tensor([0.3, 0.8], [2, 1, 1, 1]));
  const interpolates = interpolateSamples(real, fake, epsilon);
  const scores = vggDiscriminator(ctx, interpolates, { layout: 'srgan', inputSize: 16, channels: 1, features: 1, denseFeatures: 2, batchNorm: false });
  const preActivations = graph.nodes.filter((node) => node.op.type === 'LeakyRelu').map((node) => node.inputs[0]!);
  const penalty = gradientPenalty(interpolates, scores);
  const weights = ctx.frozenInputs!;
  // Biases move the input gradient of a piecewise-linear critic only by switching LeakyReLU pieces, so
  // the penalty's derivative with respect to them is zero (no gradient path); finite differences agree.
  const gradients = grad(penalty, weights);
  // PyTorch's initial weights give a critic too flat to test: scale them up.
  const values = weights.map((w) => (state.get(w.name.slice(FROZEN_PREFIX.length))!.data as Float32Array).map((x) => 3 * x));
  return { graph, weights, values, penalty, gradients, preActivations };
}

describe('WGAN-GP through a VGG-style critic (second order)', () => {
  it("the penalty's gradient with respect to every weight of the critic matches finite differences", async () => {
    const { graph, weights, values, penalty, gradients, preActivations } = buildCritic();
    expect(weights.filter((_, i) => !gradients[i]).map((w) => w.name.endsWith('.bias'))).not.toContain(false);
    const present = gradients.filter((g): g is Value => g !== undefined);
    const analytic = await createSession(serializeModel(graph, { inputs: weights, outputs: [penalty, ...present] }));
    const forward = await createSession(serializeModel(graph, { inputs: weights, outputs: [penalty, ...preActivations] }));
    const feeds = (arrays: Float32Array[]) => Object.fromEntries(weights.map((w, i) => [w.name, new ort.Tensor('float32', arrays[i], w.shape as number[])]));
    const evaluate = async (arrays: Float32Array[]) => {
      const out = await forward.run(feeds(arrays));
      const signs = preActivations.flatMap((p) => Array.from(out[p.name].data as Float32Array, (x) => x > 0));
      return { penalty: (out[penalty.name].data as Float32Array)[0], signs };
    };
    const exact = await analytic.run(feeds(values));
    const base = await evaluate(values);
    expect(base.penalty).toBeGreaterThan(0);

    const probe = async (direction: Float32Array[]) => {
      const gradientOf = (i: number) => (gradients[i] ? (exact[gradients[i]!.name].data as Float32Array) : new Float32Array(values[i].length));
      const slope = direction.reduce((s, d, i) => s + d.reduce((t, x, k) => t + x * gradientOf(i)[k], 0), 0);
      for (const epsilon of [3e-3, 1e-3, 3e-4]) {
        const plus = await evaluate(values.map((v, i) => v.map((x, k) => x + epsilon * direction[i][k])));
        const minus = await evaluate(values.map((v, i) => v.map((x, k) => x - epsilon * direction[i][k])));
        const samePieces = [plus, minus].every((side) => side.signs.every((s, k) => s === base.signs[k]));
        if (!samePieces) continue;
        const numeric = (plus.penalty - minus.penalty) / (2 * epsilon);
        expect(Math.abs(numeric - slope) / Math.max(Math.abs(slope), 1e-2), `numeric ${numeric} vs analytic ${slope}`).toBeLessThan(2e-2);
        return;
      }
      throw new Error('every step crossed a LeakyReLU kink: pick another direction');
    };

    // One random direction through all weights at once, then each weight tensor on its own.
    await probe(values.map((v, i) => randomFill(v.length, 100 + i)));
    for (let i = 0; i < weights.length; i++) {
      await probe(values.map((v, j) => (j === i ? randomFill(v.length, 200 + i) : new Float32Array(v.length))));
    }
  });
});
