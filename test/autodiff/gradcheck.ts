import { expect } from 'vitest';
import { grad } from '../../src/autodiff/grad.js';
import { Graph } from '../../src/graph/graph.js';
import { serializeModel } from '../../src/graph/onnx/serializeModel.js';
import { mul } from '../../src/graph/ops/elementwise.js';
import { reduceSum } from '../../src/graph/ops/reduce.js';
import { float32Tensor } from '../../src/graph/tensorData.js';
import type { Value } from '../../src/graph/value.js';
import { createSession, ort } from '../../src/runtime/session.js';

/** A deterministic generator of uniform numbers in [-1, 1). */
export function randomFill(size: number, seed: number, avoidNearZero = 0): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    let v: number;
    do {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      v = (state / 2 ** 32) * 2 - 1;
    } while (Math.abs(v) < avoidNearZero);
    out[i] = v;
  }
  return out;
}

export interface GradCheckInput {
  shape: number[];
  /** Values to use; default random in [-1, 1). */
  data?: Float32Array;
  /** Keep random values at least this far from 0 (for ops with a kink at 0). */
  avoidNearZero?: number;
}

/**
 * Check `grad` against central finite differences: the loss is sum(f(inputs) * r) for a fixed random r;
 * for each input, the directional derivative along a random direction and a few single coordinates are
 * compared with the analytic gradient.
 */
export async function checkGradients(
  inputs: GradCheckInput[],
  f: (...values: Value[]) => Value,
  options: { epsilon?: number; tolerance?: number; coordinates?: number } = {},
): Promise<void> {
  const epsilon = options.epsilon ?? 1e-2;
  const tolerance = options.tolerance ?? 2e-2;
  const graph = new Graph();
  const values = inputs.map((input, i) => graph.input(`x${i}`, 'float32', input.shape));
  const out = f(...values);
  const weights = graph.constant(float32Tensor(randomFill(out.shape.reduce((a: number, b) => a * (b as number), 1), 99), out.shape as number[]));
  const loss = reduceSum(mul(out, weights));
  const gradients = grad(loss, values);
  gradients.forEach((g, i) => expect(g, `input ${i} has a gradient`).toBeDefined());

  const analytic = await createSession(serializeModel(graph, { inputs: values, outputs: [loss, ...gradients.map((g) => g!)] }));
  const forward = await createSession(serializeModel(graph, { inputs: values, outputs: [loss] }));
  const data = inputs.map((input, i) => input.data ?? randomFill(input.shape.reduce((a, b) => a * b, 1), 7 + i, input.avoidNearZero ?? 0));
  const feeds = (arrays: Float32Array[]) => Object.fromEntries(values.map((v, i) => [v.name, new ort.Tensor('float32', arrays[i], inputs[i].shape)]));
  const lossAt = async (arrays: Float32Array[]) => ((await forward.run(feeds(arrays)))[loss.name].data as Float32Array)[0];

  const results = await analytic.run(feeds(data));
  for (let i = 0; i < inputs.length; i++) {
    const g = results[gradients[i]!.name].data as Float32Array;
    expect(g.length).toBe(data[i].length);
    const probe = async (direction: Float32Array) => {
      const plus = data.map((d, j) => (j === i ? d.map((v, k) => v + epsilon * direction[k]) : d));
      const minus = data.map((d, j) => (j === i ? d.map((v, k) => v - epsilon * direction[k]) : d));
      const numeric = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * epsilon);
      const exact = g.reduce((s, v, k) => s + v * direction[k], 0);
      const scale = Math.max(1, Math.abs(exact), Math.abs(numeric));
      expect(Math.abs(numeric - exact) / scale, `input ${i}: numeric ${numeric} vs analytic ${exact}`).toBeLessThan(tolerance);
    };
    await probe(randomFill(data[i].length, 1234 + i));
    const count = Math.min(options.coordinates ?? 3, data[i].length);
    for (let c = 0; c < count; c++) {
      const direction = new Float32Array(data[i].length);
      direction[Math.floor(((c + 0.5) / count) * data[i].length)] = 1;
      await probe(direction);
    }
  }
}
