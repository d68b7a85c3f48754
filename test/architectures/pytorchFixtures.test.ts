import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildNetwork, type ModelSpec } from '../../src/architectures/registry.js';
import { readNpz } from '../../src/io/npy.js';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { exportForwardModel } from '../../src/runtime/exportOnnx.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { maxAbsDifference, repoRoot } from '../helpers.js';

// test/fixtures/architectures/make_architecture_fixtures.py: tiny random-weight models in each
// architecture's reference layout, saved by PyTorch, with PyTorch's outputs for two pictures (the
// second of a size that is no multiple of any window).
const fixtures = join(repoRoot, 'test/fixtures/architectures');

/** What detection must recover from each file: every hyper-parameter, and the description people read. */
const CASES: { name: string; spec: ModelSpec; description: string }[] = [
  { name: 'span-x4', spec: { arch: 'span', scale: 4, options: { features: 8 } }, description: 'SPAN, 8 features, x4' },
  { name: 'span-x2-nonorm', spec: { arch: 'span', scale: 2, options: { features: 6, normalise: 0 } }, description: 'SPAN, 6 features, no input normalisation, x2' },
];

/** The network's raw output (no clamping: random weights go far outside [0, 1]) for one 1x3xHxW input. */
async function runNetwork(spec: ModelSpec, state: StateDict, input: { data: Float32Array; shape: readonly number[] }): Promise<Float32Array> {
  const session = await createSession(exportForwardModel((ctx, x) => buildNetwork(spec, ctx, x), state));
  try {
    return (await session.run({ input: new ort.Tensor('float32', input.data, [...input.shape]) })).output.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('architectures read from reference-layout PyTorch files match PyTorch', () => {
  for (const { name, spec, description } of CASES) {
    it(`${name}: detected with every hyper-parameter, and equal to PyTorch at two sizes`, async () => {
      const file = join(fixtures, `${name}.pth`);
      const detected = detectArchitecture(await readPytorchStateDict(file), file);
      expect(detected.spec).toEqual(spec);
      expect(detected.description).toBe(description);
      const reference = await readNpz(join(fixtures, `${name}.npz`));
      for (const tag of ['a', 'b']) {
        const input = reference.get(`input_${tag}`)!;
        const expected = reference.get(`output_${tag}`)!;
        const output = await runNetwork(detected.spec, detected.state, { data: input.data as Float32Array, shape: input.shape });
        expect(output.length, tag).toBe(expected.data.length);
        expect(maxAbsDifference(output, expected.data as Float32Array), `${name} ${input.shape.join('x')}`).toBeLessThan(1e-4);
      }
    });
  }
});
