import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { serializeModel } from '../../src/graph/onnx/serializeModel.js';
import type { Value } from '../../src/graph/value.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { rrdbnet } from '../../src/architectures/rrdbnet/network.js';
import { srresnet } from '../../src/architectures/srresnet/network.js';
import { writeForwardModel } from '../../src/runtime/exportOnnx.js';
import { ort, toOrtTensor } from '../../src/runtime/session.js';
import { randomFill } from '../autodiff/gradcheck.js';
import { maxAbsDifference, temporaryDirectory } from '../helpers.js';

/** The engine's own forward pass: parameters fed as inputs, static input shape. */
async function engineForward(build: (ctx: BuildContext, x: Value) => Value, state: StateDict, shape: number[], data: Float32Array) {
  const graph = new Graph();
  const ctx = BuildContext.create(graph, state, { training: false });
  const x = graph.input('x', 'float32', shape);
  const y = build(ctx, x);
  const session = await ort.InferenceSession.create(serializeModel(graph, { inputs: [x, ...graph.parameters], outputs: [y] }));
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', data, shape) };
  for (const p of graph.parameters) feeds[p.name] = toOrtTensor(state.get(p.name)!);
  return (await session.run(feeds))[y.name].data as Float32Array;
}

async function checkExport(build: (ctx: BuildContext, x: Value) => Value, state: StateDict, sizes: [number, number][], scale: number) {
  const dir = await temporaryDirectory();
  const path = join(dir, 'model.onnx');
  await writeForwardModel(path, build, state, { initialiseMissing: true }); // a random network: its weights come into being here
  // A fresh onnxruntime session from the file alone, as any ONNX user would load it.
  const session = await ort.InferenceSession.create(await readFile(path));
  expect(session.inputNames).toEqual(['input']);
  expect(session.outputNames).toEqual(['output']);
  for (const [h, w] of sizes) {
    const shape = [1, 3, h, w];
    const data = randomFill(3 * h * w, h * 100 + w).map((v) => (v + 1) / 2);
    const exported = (await session.run({ input: new ort.Tensor('float32', data, shape) })).output;
    expect(exported.dims).toEqual([1, 3, h * scale, w * scale]);
    const engine = await engineForward(build, state, shape, data);
    expect(maxAbsDifference(exported.data as Float32Array, engine)).toBeLessThan(1e-5);
  }
}

describe('exported ONNX models', () => {
  it('RRDBNet runs in a fresh onnxruntime session with the engine output, at any input size', async () => {
    const state: StateDict = new Map();
    const build = (ctx: BuildContext, x: Value) => rrdbnet(ctx, x, { features: 16, growth: 8, blocks: 2 });
    await checkExport(build, state, [[12, 10], [7, 9]], 4);
  });

  it('SRResNet (batch norm in evaluation mode) does too', async () => {
    const state: StateDict = new Map();
    const build = (ctx: BuildContext, x: Value) => srresnet(ctx, x, { features: 8, blocks: 2 });
    await checkExport(build, state, [[8, 8], [5, 11]], 4);
  });
});
