import { Graph } from '../../src/graph/graph.js';
import { serializeModel } from '../../src/graph/onnx/serializeModel.js';
import type { Value } from '../../src/graph/value.js';
import { createSession, ort } from '../../src/runtime/session.js';

/** Run part of a graph once on onnxruntime: feed float32 arrays, get float32 arrays back. */
export async function runGraph(inputs: [Value, Float32Array][], outputs: Value[]): Promise<Float32Array[]> {
  const graph = outputs[0].graph;
  const session = await createSession(serializeModel(graph, { inputs: inputs.map(([v]) => v), outputs }));
  const feeds = Object.fromEntries(inputs.map(([v, data]) => [v.name, new ort.Tensor('float32', data, v.shape as number[])]));
  const results = await session.run(feeds);
  return outputs.map((o) => results[o.name].data as Float32Array);
}

export function newGraph(): Graph {
  return new Graph();
}
