import { describe, expect, it } from 'vitest';
import { isEnhanceError } from '../../src/errors.js';
import type { FloatTensor, InferenceBackend, OpenInferenceBackend } from '../../src/upscale/inferenceBackend.js';
import { ModelRunner } from '../../src/upscale/modelRunner.js';
import { upscaleToTensor } from '../../src/upscale/upscalePicture.js';
import { randomImage } from '../helpers.js';
import { nearestRunner } from './fakeRunners.js';

/** What a fake backend's graph does to its one NCHW input. */
type FakeGraph = (input: FloatTensor) => FloatTensor;

/** Nearest enlargement by `scale` of an NCHW batch of one. */
const nearestGraph =
  (scale: number): FakeGraph =>
  ({ data, dims: [, channels, height, width] }) => {
    const out = new Float32Array(channels * height * scale * width * scale);
    for (let c = 0; c < channels; c++)
      for (let y = 0; y < height * scale; y++)
        for (let x = 0; x < width * scale; x++) out[(c * height * scale + y) * width * scale + x] = data[(c * height + Math.floor(y / scale)) * width + Math.floor(x / scale)];
    return { data: out, dims: [1, channels, height * scale, width * scale] };
  };

/** An in-memory backend running `graph`, which records its runs and whether it was released. */
interface FakeBackend extends InferenceBackend {
  runs: (readonly number[])[];
  released: boolean;
}

function fakeBackend(graph: FakeGraph, names: { inputs?: string[]; bytesPerPixel?: number } = {}): FakeBackend {
  const backend: FakeBackend = {
    inputNames: names.inputs ?? ['picture'],
    outputNames: ['enlarged'],
    runs: [] as (readonly number[])[],
    released: false,
    async run(feeds: Readonly<Record<string, FloatTensor>>): Promise<FloatTensor> {
      const input = feeds[backend.inputNames[0]];
      backend.runs.push(input.dims);
      return graph(input);
    },
    ...(names.bytesPerPixel === undefined ? {} : { measureBytesPerPixel: async () => names.bytesPerPixel! }),
    async release() {
      backend.released = true;
    },
  };
  return backend;
}

const opening = (backend: InferenceBackend): OpenInferenceBackend => async () => backend;

/** The error `promise` rejects with, which must be an EnhanceError. */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isEnhanceError(error)).toBe(true);
  return error as Error;
}

describe('ModelRunner over an inference backend', () => {
  it("finds a foreign model's scale by one probe run on a gray 1x3x16x16 picture", async () => {
    const backend = fakeBackend(nearestGraph(3));
    const runner = await ModelRunner.fromOnnx(opening(backend), new Uint8Array(), 'x3.onnx');
    expect(runner.scale).toBe(3);
    expect(backend.runs).toEqual([[1, 3, 16, 16]]);
    expect(runner.traits.description).toBe('ONNX model x3');
  });

  it("sizes tiles of a foreign model from the backend's measurement when it can measure", async () => {
    const runner = await ModelRunner.fromOnnx(opening(fakeBackend(nearestGraph(2), { bytesPerPixel: 5000 })), new Uint8Array(), 'x2.onnx');
    expect(runner.traits.bytesPerPixel).toBe(5000);
  });

  it('enlarges a picture tile by tile as any TileRunner does, through the backend', async () => {
    const runner = await ModelRunner.fromOnnx(opening(fakeBackend(nearestGraph(2))), new Uint8Array(), 'x2.onnx');
    const picture = randomImage(3, 40, 56);
    const expected = await upscaleToTensor(picture, nearestRunner(2), { tile: 16 });
    expect((await runner.upscale(picture, { tile: 16 })).data).toEqual(expected.data);
  });

  it('refuses an output of the wrong shape in one line naming the file, and releases the session', async () => {
    const backend = fakeBackend(({ dims: [, , h, w] }) => ({ data: new Float32Array(h * 2 * w * 2), dims: [1, 1, h * 2, w * 2] }));
    const error = await refusal(ModelRunner.fromOnnx(opening(backend), new Uint8Array(), 'gray.onnx'));
    expect(error.message).toBe('gray.onnx: gives an output of shape [1, 1, 32, 32] for a 1x3x16x16 input: not an RGB SR model');
    expect(backend.released).toBe(true);
  });

  it('refuses a model with two inputs, and one that fails on the probe, naming the file', async () => {
    const twoInputs = fakeBackend(nearestGraph(2), { inputs: ['picture', 'noise'] });
    expect((await refusal(ModelRunner.fromOnnx(opening(twoInputs), new Uint8Array(), 'two.onnx'))).message).toBe('two.onnx: has 2 inputs: an SR model takes one picture');
    expect(twoInputs.released).toBe(true);
    const failing = fakeBackend(() => {
      throw new Error('Conv: kernel shape mismatch\nstack...');
    });
    expect((await refusal(ModelRunner.fromOnnx(opening(failing), new Uint8Array(), 'bad.onnx'))).message).toMatch(/^bad\.onnx: does not run on a 1x3x16x16 float32 picture \(Conv: kernel shape mismatch\)/);
  });

  it('refuses a file the runtime cannot open as "not a valid ONNX model"', async () => {
    const open: OpenInferenceBackend = async () => {
      throw new Error('protobuf parsing failed');
    };
    expect((await refusal(ModelRunner.fromOnnx(open, new Uint8Array(), 'junk.onnx'))).message).toBe('junk.onnx: is not a valid ONNX model (protobuf parsing failed)');
  });

  it('refuses a tile whose output is not the probed scale instead of blending garbage', async () => {
    // x2 on the 16x16 probe, x1 on anything larger.
    const runner = await ModelRunner.fromOnnx(opening(fakeBackend((input) => nearestGraph(input.dims[2] === 16 ? 2 : 1)(input))), new Uint8Array(), 'odd.onnx');
    await expect(runner.run(new Float32Array(3 * 32 * 32), 32, 32)).rejects.toThrow('ONNX model x2: gave [1, 3, 32, 32] for a [1, 3, 32, 32] tile, not [1, 3, 64, 64]');
  });
});
