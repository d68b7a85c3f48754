import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { serializeModel } from '../../src/graph/onnx/serializeModel.js';
import { relu } from '../../src/graph/ops/activations.js';
import { createSession } from '../../src/runtime/session.js';

describe('createSession', () => {
  it('says clearly what to install when the CUDA provider is missing', async () => {
    const graph = new Graph();
    const x = graph.input('x', 'float32', [2]);
    const model = serializeModel(graph, { inputs: [x], outputs: [relu(x)] });
    await expect(createSession(model, { provider: 'cuda' })).rejects.toThrow(/CUDA execution provider is not available.*install onnxruntime-node's CUDA files/);
  });
});
