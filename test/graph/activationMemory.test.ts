import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import onnxProto from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
import { activationBytesPerPixel, inferValues, peakActivationBytes, ShapeInferenceError } from '../../src/graph/activationMemory.js';
import { ARCHITECTURE_NAMES, buildNetwork, type ModelSpec } from '../../src/architectures/registry.js';
import { exportForwardModel } from '../../src/runtime/exportOnnx.js';
import { traitsOf } from '../../src/architectures/registry.js';

const { onnx } = onnxProto;
const { FLOAT, INT64, INT8 } = onnx.TensorProto.DataType;

// ---- hand-built graphs: input 'x' [1, 3, height, width], output 'y' --------------------------------

type Attribute = number | number[] | string | { float: number };

function attribute(name: string, value: Attribute): onnxProto.onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: types.INT, i: value };
  if (typeof value === 'string') return { name, type: types.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: types.INTS, ints: value };
  return { name, type: types.FLOAT, f: value.float };
}

function node(opType: string, input: string[], output: string, attributes: Record<string, Attribute> = {}): onnxProto.onnx.INodeProto {
  return { name: output, opType, input, output: [output], attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)) };
}

/** A float tensor of zeros (conv weights: only their shape matters here). */
const weight = (name: string, dims: number[]): onnxProto.onnx.ITensorProto => ({ name, dataType: FLOAT, dims, rawData: new Uint8Array(4 * dims.reduce((a, b) => a * b, 1)) });
const floats = (name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto => ({ name, dataType: FLOAT, dims, floatData: values });
const int64s = (name: string, dims: number[], values: number[]): onnxProto.onnx.ITensorProto => ({ name, dataType: INT64, dims, int64Data: values });

function model(nodes: onnxProto.onnx.INodeProto[], initializer: onnxProto.onnx.ITensorProto[] = []): Uint8Array {
  const dims = [{ dimValue: 1 }, { dimValue: 3 }, { dimParam: 'height' }, { dimParam: 'width' }];
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'test',
      node: nodes,
      initializer,
      input: [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: dims } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: FLOAT } } }],
    },
  }).finish();
}

const shapeOf = (graph: Uint8Array, height: number, width: number, name: string) => inferValues(graph, height, width).get(name)?.shape;

describe('shapes and peak working memory of hand-built graphs', () => {
  // x -> 3x3 conv to 8 (pad 1) -> Relu -> 3x3 conv to 4 (stride 2, pad 1) -> 3x3 conv to 2 (dilation 2, no pad)
  const chain = model(
    [
      node('Conv', ['x', 'w1'], 'a', { pads: [1, 1, 1, 1] }),
      node('Relu', ['a'], 'b'),
      node('Conv', ['b', 'w2'], 'c', { strides: [2, 2], pads: [1, 1, 1, 1] }),
      node('Conv', ['c', 'w3'], 'y', { dilations: [2, 2] }),
    ],
    [weight('w1', [8, 3, 3, 3]), weight('w2', [4, 8, 3, 3]), weight('w3', [2, 4, 3, 3])],
  );

  it('infers a conv chain exactly: padding, stride 2 and dilation 2', () => {
    expect(shapeOf(chain, 16, 20, 'a')).toEqual([1, 8, 16, 20]);
    expect(shapeOf(chain, 16, 20, 'c')).toEqual([1, 4, 8, 10]);
    expect(shapeOf(chain, 16, 20, 'y')).toEqual([1, 2, 4, 6]);
  });

  it('peaks in a conv chain at the picture and two full-size feature maps, the Relu and its input', () => {
    // x 3*320*4 = 3840 bytes, a and b 8*320*4 = 10240 each; c and y come after a is freed.
    expect(peakActivationBytes(chain, 16, 20)).toBe(3840 + 10240 + 10240);
  });

  it('a pixel-shuffle upsampler needs the picture, the 12-channel conv output and the x2 output: 108 bytes per input pixel', () => {
    const upsampler = model([node('Conv', ['x', 'w'], 'f', { pads: [1, 1, 1, 1] }), node('DepthToSpace', ['f'], 'y', { blocksize: 2, mode: 'CRD' })], [weight('w', [12, 3, 3, 3])]);
    expect(shapeOf(upsampler, 10, 14, 'y')).toEqual([1, 3, 20, 28]);
    expect(activationBytesPerPixel(upsampler)).toBe(3 * 4 + 12 * 4 + 3 * 4 * 4);
  });

  it('a residual Add keeps the early feature map alive: three maps at once where the plain chain needs two', () => {
    const convs = [node('Conv', ['x', 'w1'], 'a', { pads: [1, 1, 1, 1] }), node('Relu', ['a'], 'b'), node('Conv', ['b', 'w2'], 'c', { pads: [1, 1, 1, 1] })];
    const weights = [weight('w1', [8, 3, 3, 3]), weight('w2', [8, 8, 3, 3]), weight('w3', [3, 8, 3, 3])];
    const residual = model([...convs, node('Add', ['a', 'c'], 's'), node('Conv', ['s', 'w3'], 'y', { pads: [1, 1, 1, 1] })], weights);
    const plain = model([...convs, node('Conv', ['c', 'w3'], 'y', { pads: [1, 1, 1, 1] })], weights);
    // Per pixel: the picture 12 bytes, each 8-channel map 32. With the skip, a lives while b and c are made.
    expect(activationBytesPerPixel(residual)).toBe(12 + 3 * 32);
    expect(activationBytesPerPixel(plain)).toBe(12 + 2 * 32);
  });

  it('folds the Shape, Gather, Cast, Mul, Floor, Unsqueeze, Slice and Concat that compute a Resize size, as PyTorch exports it', () => {
    const side = (index: string, out: string) => [
      node('Gather', ['s', index], `${out}.dim`),
      node('Cast', [`${out}.dim`], `${out}.float`, { to: FLOAT }),
      node('Mul', [`${out}.float`, 'factor'], `${out}.scaled`),
      node('Floor', [`${out}.scaled`], `${out}.floor`),
      node('Cast', [`${out}.floor`], `${out}.int`, { to: INT64 }),
      node('Unsqueeze', [`${out}.int`, 'axis0'], out),
    ];
    const resize = model(
      [
        node('Shape', ['x'], 's'),
        node('Slice', ['s', 'start', 'end'], 'batchAndChannels'),
        ...side('two', 'h'),
        ...side('three', 'w'),
        node('Concat', ['batchAndChannels', 'h', 'w'], 'sizes', { axis: 0 }),
        node('Resize', ['x', '', '', 'sizes'], 'y', { mode: 'nearest' }),
      ],
      [int64s('two', [], [2]), int64s('three', [], [3]), int64s('axis0', [1], [0]), int64s('start', [1], [0]), int64s('end', [1], [2]), floats('factor', [], [1.5])],
    );
    expect(shapeOf(resize, 16, 20, 'y')).toEqual([1, 3, 24, 30]);
    expect(activationBytesPerPixel(resize)).toBeCloseTo(12 + 12 * 1.5 * 1.5, 6);
  });

  it('an int8 QuantizeLinear output takes one byte an element', () => {
    const quantized = model(
      [node('QuantizeLinear', ['x', 'scale', 'zero'], 'q'), node('DequantizeLinear', ['q', 'scale', 'zero'], 'y')],
      [floats('scale', [], [0.01]), { name: 'zero', dataType: INT8, dims: [], int32Data: [0] }],
    );
    expect(inferValues(quantized, 8, 8).get('q')?.elemType).toBe(INT8);
    expect(activationBytesPerPixel(quantized)).toBe(12 + 3 + 12);
  });

  it('values made of initializers alone (a transposed weight) take no working memory: onnxruntime folds them', () => {
    const transposed = model([node('Transpose', ['w'], 'wt', { perm: [1, 0, 2, 3] }), node('ConvTranspose', ['x', 'wt'], 'y', { pads: [1, 1, 1, 1] })], [weight('w', [4, 3, 3, 3])]);
    expect(shapeOf(transposed, 8, 8, 'y')).toEqual([1, 4, 8, 8]);
    expect(activationBytesPerPixel(transposed)).toBe(12 + 16);
  });

  it('names the node and the op it has no rule for', () => {
    const unknown = model([node('NoSuchOperator', ['x'], 'y')]);
    expect(() => activationBytesPerPixel(unknown)).toThrow(ShapeInferenceError);
    expect(() => activationBytesPerPixel(unknown)).toThrow(/node 'y' \(NoSuchOperator\): no shape rule/);
  });

  it('refuses a shape that depends on the picture\'s contents', () => {
    const dataDependent = model([node('Cast', ['x'], 'shape', { to: INT64 }), node('Reshape', ['x', 'shape'], 'y')]);
    expect(() => activationBytesPerPixel(dataDependent)).toThrow(/computed at run time/);
  });
});

// ---- our networks against onnxruntime ------------------------------------------------------------

const MEASURED_SIDE = 256;
const workDir = mkdtempSync(join(tmpdir(), 'enhance-activation-memory-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/**
 * A child process (its own RSS, none of the test runner's heap) loads the model with the options of
 * `createSession`, runs a 16x16 picture (the runtime's threads, arena and kernels exist then), then
 * a `side`x`side` one, and reports how much its peak RSS grew per added pixel. `planner` turns off
 * onnxruntime's arena and makes glibc map every large block on its own, so the growth is exactly
 * what the allocation planner keeps alive at once; otherwise the session runs as ModelRunner's does.
 */
async function measuredBytesPerPixel(onnxFile: string, side: number, planner: boolean): Promise<number> {
  const script = join(workDir, 'measure.mjs');
  writeFileSync(
    script,
    `
    import { readFileSync, writeFileSync } from 'node:fs';
    const { ort } = await import(${JSON.stringify(new URL('../../dist/runtime/session.js', import.meta.url).href)});
    const [file, side, planner] = [process.argv[2], Number(process.argv[3]), process.argv[4] === 'planner'];
    const memory = (key) => Number(new RegExp(key + ':\\\\s+(\\\\d+) kB').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
    const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'], interOpNumThreads: 1, graphOptimizationLevel: 'all', enableCpuMemArena: !planner });
    const picture = (s) => ({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(3 * s * s).fill(0.5), [1, 3, s, s]) });
    await session.run(picture(16));
    const feeds = picture(side);
    const before = memory('VmRSS');
    writeFileSync('/proc/self/clear_refs', '5'); // VmHWM counts from here
    await session.run(feeds);
    console.log(JSON.stringify({ perPixel: (memory('VmHWM') - before) / (side * side - 16 * 16) }));
  `,
  );
  // A fixed threshold stops glibc keeping freed blocks of up to 32 MB for reuse (RSS that no tensor holds).
  const env = planner ? { ...process.env, MALLOC_MMAP_THRESHOLD_: '65536' } : process.env;
  const { stdout } = await promisify(execFile)(process.execPath, [script, onnxFile, String(side), planner ? 'planner' : 'arena'], { env, encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').pop()!).perPixel;
}

const exported = (spec: ModelSpec) => exportForwardModel((ctx, x) => buildNetwork(spec, ctx, x), new Map(), { initialiseMissing: true });

const MEASURED: { spec: ModelSpec; arenaGrowth: [number, number] }[] = [
  // Measured at 256x256 (estimate / growth): planner 1.02, 1.00, 1.00; default arena 0.73, 0.49, 0.49
  // (at 512x512 the arena's share falls: 0.73, 0.65, 0.66).
  { spec: { arch: 'srvgg-compact', scale: 4, options: {} }, arenaGrowth: [1.2, 1.6] },
  { spec: { arch: 'rrdbnet', scale: 4, options: { blocks: 2 } }, arenaGrowth: [1.7, 2.4] },
  { spec: { arch: 'msrresnet', scale: 4, options: {} }, arenaGrowth: [1.7, 2.4] },
];

describe(`the graph estimate against onnxruntime-node running a ${MEASURED_SIDE}x${MEASURED_SIDE} picture`, () => {
  for (const { spec, arenaGrowth } of MEASURED) {
    const name = `${spec.arch} x${spec.scale}${spec.options.blocks ? ` (${spec.options.blocks} blocks)` : ''}`;
    it(`${name}: the estimate is what the allocation planner keeps alive (within 3% below, 25% above); the default arena grows ${arenaGrowth[0]}x to ${arenaGrowth[1]}x that`, async () => {
      const bytes = exported(spec);
      const file = join(workDir, `${spec.arch}.onnx`);
      writeFileSync(file, bytes);
      const estimate = activationBytesPerPixel(bytes);
      const planner = await measuredBytesPerPixel(file, MEASURED_SIDE, true);
      expect(estimate / planner).toBeGreaterThan(0.97);
      expect(estimate / planner).toBeLessThan(1.25);
      // The arena never gives memory back and keeps blocks too large or in the wrong region for later
      // tensors: bytesPerPixel for tiling needs this factor on top of the graph's peak.
      const arena = await measuredBytesPerPixel(file, MEASURED_SIDE, false);
      expect(arena / estimate).toBeGreaterThan(arenaGrowth[0]);
      expect(arena / estimate).toBeLessThan(arenaGrowth[1]);
    }, 120_000);
  }
});

// ---- the hand formulas of traitsOf beside the graph -----------------------------------------------

/**
 * For each architecture (published defaults) at each scale: traitsOf's bytesPerPixel and the graph's.
 * Networks built for one size (window attention) have no per-pixel graph estimate, so they are left out.
 */
function handFormulaVersusGraph(scales: readonly number[]): { arch: string; scale: number; traits: number; graph: number }[] {
  return scales.flatMap((scale) =>
    ARCHITECTURE_NAMES.filter((arch) => !traitsOf({ arch, scale, options: {} }).perShapeGraph).map((arch) => {
      const spec: ModelSpec = { arch, scale, options: {} };
      return { arch, scale, traits: traitsOf(spec).bytesPerPixel, graph: activationBytesPerPixel(exported(spec)) };
    }),
  );
}

describe('traitsOf beside the graph', () => {
  it('every hand formula is above the graph estimate: they were fitted to RSS, the arena included', () => {
    for (const row of handFormulaVersusGraph([2, 4])) expect(row.traits, `${row.arch} x${row.scale}`).toBeGreaterThan(row.graph);
  }, 60_000);
});
