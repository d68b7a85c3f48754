import { describe, expect, it } from 'vitest';
import { importNcnnModel } from '../../src/importers/ncnn/ncnnToOnnx.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { float16Weights, float32Weights, NcnnModelWriter, rawFloats, seededWeights } from '../fixtures/ncnn/ncnnModelWriter.js';
import * as ref from '../fixtures/ncnn/referenceLayers.js';
import type { Blob } from '../fixtures/ncnn/referenceLayers.js';
import { maxAbsDifference, temporaryDirectory } from '../helpers.js';

/** An RGB input in [0, 1]. */
function inputBlob(h: number, w: number, seed = 1): Blob {
  const values = seededWeights(3 * h * w, seed, 0.5);
  return { c: 3, h, w, data: values.map((v) => v + 0.5) };
}

/**
 * Ends a test network: its blob `last` times 0.1 plus 0.5 (two BinaryOps with a scalar) becomes the
 * output, so the results stay inside (0, 1) and the importer's final clamp changes nothing.
 */
function squashInto(writer: NcnnModelWriter, last: string): NcnnModelWriter {
  return writer
    .layer('BinaryOp', 'squash_scale', [last], ['squash_scaled'], '0=2 1=1 2=1.000000e-01')
    .layer('BinaryOp', 'squash_shift', ['squash_scaled'], ['output'], '0=0 1=1 2=5.000000e-01');
}

const squash = (b: Blob): Blob => ref.map(b, (v) => v * 0.1 + 0.5);

/** Import the network, run it on each input in one onnxruntime session. */
async function runImported(writer: NcnnModelWriter, inputs: readonly Blob[]): Promise<Blob[]> {
  const session = await createSession(await importNcnnModel(await writer.write(await temporaryDirectory())));
  const outputs: Blob[] = [];
  for (const x of inputs) {
    const output = (await session.run({ input: new ort.Tensor('float32', x.data, [1, 3, x.h, x.w]) })).output;
    const [, c, h, w] = output.dims;
    outputs.push({ c, h, w, data: output.data as Float32Array });
  }
  return outputs;
}

function expectMatches(actual: Blob, expected: Blob): void {
  expect([actual.c, actual.h, actual.w]).toEqual([expected.c, expected.h, expected.w]);
  // The reference must not rely on the clamp to [0, 1].
  expect(expected.data.every((v) => v > 0 && v < 1)).toBe(true);
  expect(maxAbsDifference(actual.data, expected.data)).toBeLessThan(1e-5);
}

async function expectNetwork(writer: NcnnModelWriter, inputs: readonly Blob[], reference: (x: Blob) => Blob): Promise<void> {
  const outputs = await runImported(writer, inputs);
  inputs.forEach((x, i) => expectMatches(outputs[i], reference(x)));
}

const add = (a: number, b: number) => a + b;

describe('SRVGGNetCompact-shaped networks', () => {
  const w1 = seededWeights(4 * 3 * 9, 11);
  const b1 = seededWeights(4, 12);
  const slopes = seededWeights(4, 13);
  const w2 = seededWeights(12 * 4 * 9, 14);
  const b2 = seededWeights(12, 15);

  function compactNetwork(weights: (values: Float32Array) => Uint8Array): NcnnModelWriter {
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'], '0=0 1=0 2=3')
      .layer('Split', 'split', ['data'], ['data_0', 'data_1'])
      .layer('Convolution', 'conv_first', ['data_0'], ['c1'], '0=4 1=3 4=1 5=1 6=108', weights(w1), rawFloats(b1))
      .layer('PReLU', 'prelu', ['c1'], ['p1'], '0=4', rawFloats(slopes))
      .layer('Convolution', 'conv_last', ['p1'], ['c2'], '0=12 1=3 4=1 5=1 6=432', weights(w2), rawFloats(b2))
      .layer('PixelShuffle', 'shuffle', ['c2'], ['s'], '0=2')
      .layer('Interp', 'upsample', ['data_1'], ['u'], '0=1 1=2.000000e+00 2=2.000000e+00')
      .layer('BinaryOp', 'add', ['s', 'u'], ['sum'], '0=0');
    return squashInto(writer, 'sum');
  }

  function compactReference(x: Blob): Blob {
    const features = ref.prelu(ref.convolution(x, w1, b1, 4, { kernel: [3, 3], pad: [1, 1, 1, 1] }), slopes);
    const residual = ref.pixelShuffle(ref.convolution(features, w2, b2, 12, { kernel: [3, 3], pad: [1, 1, 1, 1] }), 2);
    return squash(ref.binary(residual, ref.nearest(x, 2 * x.h, 2 * x.w), add));
  }

  it('equals its layers computed by plain loops, at any input size', async () => {
    await expectNetwork(compactNetwork(float32Weights), [inputBlob(5, 7, 1), inputBlob(4, 6, 2)], compactReference);
  });

  it('reads float16 weights (tag 0x01306B47) as the same values', async () => {
    await expectNetwork(compactNetwork(float16Weights), [inputBlob(6, 5, 3)], compactReference);
  });
});

describe('ncnn layers compute what ncnn computes', () => {
  it('an RRDB-style dense block: Split, Concat, fused leaky ReLU, Eltwise sum with coefficients, fused ReLU', async () => {
    const [w0, b0, w1, b1, w2, b2, w3, b3] = [
      [108, 21],
      [4, 22],
      [72, 23],
      [2, 24],
      [216, 25],
      [4, 26],
      [12, 27],
      [3, 28],
    ].map(([count, seed]) => seededWeights(count, seed));
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Convolution', 'conv0', ['data'], ['f'], '0=4 1=3 4=1 5=1 6=108', float32Weights(w0), rawFloats(b0))
      .layer('Split', 'split_f', ['f'], ['f_0', 'f_1', 'f_2'])
      .layer('Convolution', 'conv1', ['f_0'], ['g'], '0=2 1=3 4=1 5=1 6=72 9=2 -23310=1,2.000000e-01', float16Weights(w1), rawFloats(b1))
      .layer('Concat', 'cat', ['f_1', 'g'], ['fg'], '0=0')
      .layer('Convolution', 'conv2', ['fg'], ['h'], '0=4 1=3 4=1 5=1 6=216', float32Weights(w2), rawFloats(b2))
      .layer('Eltwise', 'residual', ['h', 'f_2'], ['r'], '0=1 -23301=2,2.000000e-01,1.000000e+00')
      .layer('Convolution', 'conv3', ['r'], ['y'], '0=3 1=1 5=1 6=12 9=1', float32Weights(w3), rawFloats(b3));
    const reference = (x: Blob) => {
      const f = ref.convolution(x, w0, b0, 4, { kernel: [3, 3], pad: [1, 1, 1, 1] });
      const g = ref.relu(ref.convolution(f, w1, b1, 2, { kernel: [3, 3], pad: [1, 1, 1, 1] }), 0.2);
      const h = ref.convolution(ref.concat([f, g], 0), w2, b2, 4, { kernel: [3, 3], pad: [1, 1, 1, 1] });
      const r = ref.binary(h, f, (a, b) => 0.2 * a + b);
      return squash(ref.relu(ref.convolution(r, w3, b3, 3, { kernel: [1, 1] })));
    };
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(6, 5)], reference);
  });

  it('Convolution reads kernel, dilation, stride and pads separately for height and width, and a fused clip', async () => {
    const weight = seededWeights(3 * 3 * 2 * 3, 31);
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Convolution', 'conv', ['data'], ['y'], '0=3 1=3 11=2 2=1 12=2 3=2 13=1 4=1 14=2 15=0 16=1 5=0 6=54 9=3 10=-1.000000e-01,2.000000e-01', float32Weights(weight));
    const reference = (x: Blob) =>
      squash(ref.clip(ref.convolution(x, weight, undefined, 3, { kernel: [2, 3], dilation: [2, 1], stride: [1, 2], pad: [2, 1, 1, 0] }), -0.1, 0.2));
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(6, 7), inputBlob(5, 8)], reference);
  });

  it('ConvolutionDepthWise is a grouped convolution (depthwise with fused sigmoid and 27 float16 weights padded to 4 bytes; 3 -> 6 in 3 groups with SAME padding)', async () => {
    const [w1, b1, w2, w3] = [seededWeights(27, 41), seededWeights(3, 42), seededWeights(150, 43), seededWeights(18, 44)];
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('ConvolutionDepthWise', 'depthwise', ['data'], ['a'], '0=3 1=3 4=1 5=1 6=27 7=3 9=4', float16Weights(w1), rawFloats(b1))
      .layer('ConvolutionDepthWise', 'grouped', ['a'], ['b'], '0=6 1=5 4=-233 5=0 6=150 7=3', float32Weights(w2))
      .layer('Convolution', 'mix', ['b'], ['y'], '0=3 1=1 5=0 6=18', float32Weights(w3));
    const reference = (x: Blob) => {
      const a = ref.sigmoid(ref.convolution(x, w1, b1, 3, { kernel: [3, 3], pad: [1, 1, 1, 1], group: 3 }));
      const b = ref.convolution(a, w2, undefined, 6, { kernel: [5, 5], pad: [2, 2, 2, 2], group: 3 });
      return squash(ref.convolution(b, w3, undefined, 3, { kernel: [1, 1] }));
    };
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(7, 6)], reference);
  });

  it('Deconvolution scatters each pixel through its kernel, cuts its pads and keeps the output padding', async () => {
    const [w1, b1, w2, b2] = [seededWeights(54, 51), seededWeights(2, 52), seededWeights(6, 53), seededWeights(3, 54)];
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Deconvolution', 'up', ['data'], ['d'], '0=2 1=3 3=2 4=1 18=1 5=1 6=54 9=1', float32Weights(w1), rawFloats(b1))
      .layer('Convolution', 'mix', ['d'], ['y'], '0=3 1=1 5=1 6=6', float32Weights(w2), rawFloats(b2));
    const reference = (x: Blob) => {
      const d = ref.relu(ref.deconvolution(x, w1, b1, 2, { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] }, [1, 1]));
      return squash(ref.convolution(d, w2, b2, 3, { kernel: [1, 1] }));
    };
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(4, 5)], reference);
  });

  it('ReLU (plain and with a slope), PReLU with one slope, Sigmoid and Clip', async () => {
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('BinaryOp', 'center', ['data'], ['c'], '0=1 1=1 2=5.000000e-01')
      .layer('Split', 'split', ['c'], ['c_0', 'c_1', 'c_2', 'c_3', 'c_4'])
      .layer('ReLU', 'relu', ['c_0'], ['a0'])
      .layer('ReLU', 'leaky', ['c_1'], ['a1'], '0=1.000000e-01')
      .layer('PReLU', 'prelu', ['c_2'], ['a2'], '0=1', rawFloats([0.25]))
      .layer('Sigmoid', 'sigmoid', ['c_3'], ['a3'])
      .layer('Clip', 'clip', ['c_4'], ['a4'], '0=-2.000000e-01 1=1.000000e-01')
      .layer('Concat', 'cat', ['a0', 'a1', 'a2', 'a3', 'a4'], ['y'], '0=2');
    const reference = (x: Blob) => {
      const c = ref.map(x, (v) => v - 0.5);
      const activated = [ref.relu(c), ref.relu(c, 0.1), ref.prelu(c, Float32Array.of(0.25)), ref.sigmoid(c), ref.clip(c, -0.2, 0.1)];
      return squash(ref.concat(activated, 2));
    };
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(4, 3)], reference);
  });

  it('BinaryOp: all ten op types between blobs (broadcasting a [C,1,1] and a [1,H,W] blob) and with a scalar', async () => {
    const ops: ((a: number, b: number) => number)[] = [
      (a, b) => a + b,
      (a, b) => a - b,
      (a, b) => a * b,
      (a, b) => a / b,
      Math.max,
      Math.min,
      Math.pow,
      (a, b) => b - a,
      (a, b) => b / a,
      (a, b) => Math.pow(b, a),
    ];
    const uses = 2 * ops.length + 3;
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Sigmoid', 'positive', ['data'], ['p'])
      .layer('Split', 'split_p', ['p'], Array.from({ length: uses }, (_, i) => `p_${i}`))
      .layer('Crop', 'corner', ['p_0'], ['k'], '-23309=2,0,0 -23310=2,1,1 -23311=2,1,2')
      .layer('Split', 'split_k', ['k'], ops.map((_, t) => `k_${t}`))
      .layer('Crop', 'first_channel', ['p_1'], ['q'], '-23309=1,0 -23310=1,1 -23311=1,0');
    const results: string[] = [];
    ops.forEach((_, t) => {
      writer.layer('BinaryOp', `blobs_${t}`, [`p_${t + 3}`, `k_${t}`], [`r_${t}`], `0=${t}`);
      writer.layer('BinaryOp', `scalar_${t}`, [`p_${t + 3 + ops.length}`], [`s_${t}`], `0=${t} 1=1 2=7.500000e-01`);
      results.push(`r_${t}`, `s_${t}`);
    });
    writer.layer('BinaryOp', 'channels', ['p_2', 'q'], ['m'], '0=2');
    writer.layer('Concat', 'cat', [...results, 'm'], ['y'], '0=-1');
    const reference = (x: Blob) => {
      const p = ref.sigmoid(x);
      const k = ref.crop(p, [0, 3], [0, 1], [0, 1]);
      const q = ref.crop(p, [0, 1], [0, p.h], [0, p.w]);
      const parts = ops.flatMap((op) => [ref.binary(p, k, op), ref.map(p, (v) => op(v, 0.75))]);
      return squash(ref.concat([...parts, ref.binary(p, q, (a, b) => a * b)], 2));
    };
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(3, 4)], reference);
  });

  it('Eltwise product, sum and maximum over three blobs', async () => {
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Split', 'split', ['data'], ['x_0', 'x_1', 'x_2', 'x_3'])
      .layer('BinaryOp', 'centered', ['x_0'], ['u'], '0=1 1=1 2=5.000000e-01')
      .layer('BinaryOp', 'square', ['x_1', 'x_2'], ['v'], '0=2')
      .layer('Sigmoid', 'sigmoid', ['x_3'], ['w'])
      .layer('Split', 'split_u', ['u'], ['u_0', 'u_1', 'u_2'])
      .layer('Split', 'split_v', ['v'], ['v_0', 'v_1', 'v_2'])
      .layer('Split', 'split_w', ['w'], ['w_0', 'w_1', 'w_2'])
      .layer('Eltwise', 'product', ['u_0', 'v_0', 'w_0'], ['e0'], '0=0')
      .layer('Eltwise', 'sum', ['u_1', 'v_1', 'w_1'], ['e1'], '0=1')
      .layer('Eltwise', 'maximum', ['u_2', 'v_2', 'w_2'], ['e2'], '0=2')
      .layer('Concat', 'cat', ['e0', 'e1', 'e2'], ['y'], '0=1');
    const reference = (x: Blob) => {
      const [u, v, w] = [ref.map(x, (a) => a - 0.5), ref.map(x, (a) => a * a), ref.sigmoid(x)];
      const over = (f: (a: number, b: number) => number) => ref.binary(ref.binary(u, v, f), w, f);
      return squash(ref.concat([over((a, b) => a * b), over(add), over(Math.max)], 1));
    };
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(4, 5)], reference);
  });

  it('Interp: nearest, bilinear and bicubic by scale factors, by output size, by a fractional scale, with corners aligned', async () => {
    const cases: [string, (x: Blob) => Blob][] = [
      ['0=1 1=3.000000e+00 2=2.000000e+00', (x) => ref.nearest(x, 3 * x.h, 2 * x.w)],
      ['0=1 3=10 4=18', (x) => ref.nearest(x, 10, 18)],
      ['0=2 1=2.000000e+00 2=2.000000e+00', (x) => ref.bilinear(x, 2 * x.h, 2 * x.w)],
      ['0=2 1=1.500000e+00 2=1.500000e+00', (x) => ref.bilinear(x, Math.floor(1.5 * x.h), Math.floor(1.5 * x.w))],
      ['0=2 1=2.000000e+00 2=2.000000e+00 6=1', (x) => ref.bilinear(x, 2 * x.h, 2 * x.w, true)],
      ['0=3 1=2.000000e+00 2=4.000000e+00', (x) => ref.bicubic(x, 2 * x.h, 4 * x.w)],
      ['0=3 3=11 4=9', (x) => ref.bicubic(x, 11, 9)],
      ['0=3 1=1.500000e+00 2=1.500000e+00', (x) => ref.bicubic(x, Math.floor(1.5 * x.h), Math.floor(1.5 * x.w))],
      ['0=3 1=2.000000e+00 2=2.000000e+00 6=1', (x) => ref.bicubic(x, 2 * x.h, 2 * x.w, true)],
    ];
    for (const [params, resize] of cases) {
      const writer = new NcnnModelWriter().layer('Input', 'input', [], ['data']).layer('Interp', 'resize', ['data'], ['y'], params);
      await expectNetwork(squashInto(writer, 'y'), [inputBlob(5, 6), inputBlob(7, 5)], (x) => squash(resize(x)));
    }
  });

  it('PixelShuffle mode 1 takes sub-pixels in depth-column-row order', async () => {
    const weight = seededWeights(36, 61);
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Convolution', 'expand', ['data'], ['e'], '0=12 1=1 5=0 6=36', float32Weights(weight))
      .layer('PixelShuffle', 'shuffle', ['e'], ['y'], '0=2 1=1');
    const reference = (x: Blob) => squash(ref.pixelShuffle(ref.convolution(x, weight, undefined, 12, { kernel: [1, 1] }), 2, 1));
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(3, 4)], reference);
  });

  it('Crop by numpy-style slices and by offsets from both ends, Concat along rows, Noop', async () => {
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Split', 'split', ['data'], ['d_0', 'd_1'])
      .layer('Crop', 'slices', ['d_0'], ['a'], '-23309=2,1,2 -23310=2,-1,-233 -23311=2,1,2')
      .layer('Crop', 'offsets', ['d_1'], ['b'], '0=1 1=2 2=0 3=-233 4=-233 5=-233 6=1 7=0 8=0')
      .layer('Concat', 'rows', ['a', 'b'], ['ab'], '0=-2')
      .layer('Noop', 'noop', ['ab'], ['y']);
    const reference = (x: Blob) => {
      const a = ref.crop(x, [0, 3], [1, x.h - 1], [2, x.w]);
      const b = ref.crop(x, [0, 3], [2, x.h], [1, x.w - 1]);
      return squash(ref.concat([a, b], 1));
    };
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(6, 7), inputBlob(5, 9)], reference);
  });

  it('Crop keeps min(size, what the offsets leave) elements', async () => {
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('Crop', 'crop', ['data'], ['y'], '0=2 3=4 6=1 1=1 4=-233 7=2 2=0 5=-233 8=0');
    // Width: from 2, four columns, but one column short of the end at most.
    const reference = (x: Blob) => squash(ref.crop(x, [0, 3], [1, x.h - 2], [2, Math.min(2 + 4, x.w - 1)]));
    await expectNetwork(squashInto(writer, 'y'), [inputBlob(6, 9), inputBlob(5, 6)], reference);
  });

  it('clamps the output to [0, 1]', async () => {
    const writer = new NcnnModelWriter()
      .layer('Input', 'input', [], ['data'])
      .layer('BinaryOp', 'stretch', ['data'], ['s'], '0=2 1=1 2=4.000000e+00')
      .layer('BinaryOp', 'shift', ['s'], ['output'], '0=1 1=1 2=1.500000e+00');
    const x = inputBlob(4, 4);
    const [y] = await runImported(writer, [x]);
    const expected = ref.clip(ref.map(x, (v) => 4 * v - 1.5), 0, 1);
    expect(expected.data.some((v) => v === 0) && expected.data.some((v) => v === 1)).toBe(true);
    expect(maxAbsDifference(y.data, expected.data)).toBeLessThan(1e-6);
  });
});
