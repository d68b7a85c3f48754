import { join } from 'node:path';
import { expect } from 'vitest';
import { buildNetwork, traitsOf, type ModelSpec } from '../../src/architectures/registry.js';
import { readNpz } from '../../src/io/npy.js';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { exportForwardModel } from '../../src/runtime/exportOnnx.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { padTile } from '../../src/upscale/modelTraits.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { maxAbsDifference, repoRoot } from '../helpers.js';

// test/fixtures/architectures/make_architecture_fixtures.py (and the *_reference.py modules it
// loads): tiny random-weight models in each architecture's reference layout, saved by PyTorch, with
// PyTorch's outputs for two pictures (the second of a size that is no multiple of any window).
export const fixtures = join(repoRoot, 'test/fixtures/architectures');

/** One fixture: its file name (without .pth/.npz), the spec detection must recover, and its description. */
export interface FixtureCase {
  name: string;
  spec: ModelSpec;
  description: string;
}

/**
 * The network's raw output (no clamping: random weights go outside [0, 1]) for one 1x3xHxW input, run
 * as a tile is: padded to the size multiple the way its traits say (reflection for window attention),
 * on a graph built for that size when the network needs one, and cropped back.
 */
export async function runNetwork(spec: ModelSpec, state: StateDict, input: { data: Float32Array; shape: readonly number[] }): Promise<Float32Array> {
  const [, channels, height, width] = input.shape;
  const traits = traitsOf(spec);
  const padded = (side: number) => Math.ceil(Math.max(side, traits.minimumSize) / traits.sizeMultiple) * traits.sizeMultiple;
  const [h, w] = [padded(height), padded(width)];
  const dims = traits.perShapeGraph ? { dims: [1, h, w] as [number, number, number] } : {};
  const session = await createSession(exportForwardModel((ctx, x) => buildNetwork(spec, ctx, x), state, { ...dims, channels }));
  try {
    const padded = h === height && w === width ? input.data : padTile(input.data, height, width, h, w, traits.padding);
    const feed = new ort.Tensor('float32', padded, [1, channels, h, w]);
    const output = (await session.run({ input: feed })).output.data as Float32Array;
    const s = spec.scale;
    const cropped = new Float32Array(channels * height * s * width * s);
    for (let c = 0; c < channels; c++) for (let y = 0; y < height * s; y++) cropped.set(output.subarray((c * h * s + y) * w * s, (c * h * s + y) * w * s + width * s), (c * height * s + y) * width * s);
    return cropped;
  } finally {
    await session.release();
  }
}

/** Detects `name`.pth, expects every hyper-parameter and the description, and compares both pictures with PyTorch. */
export async function expectFixtureMatchesPytorch({ name, spec, description }: FixtureCase, tolerance = 1e-4): Promise<void> {
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
    expect(maxAbsDifference(output, expected.data as Float32Array), `${name} ${input.shape.join('x')}`).toBeLessThan(tolerance);
  }
}
