import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';
import { Graph } from '../../src/graph/graph.js';
import type { TensorData } from '../../src/graph/tensorData.js';
import { buildNetwork, type ModelSpec } from '../../src/architectures/registry.js';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import { loadModel } from '../../src/models/modelFile.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { DIV2K_RGB_MEAN } from '../../src/architectures/edsr/network.js';
import { exportForwardModel } from '../../src/runtime/exportOnnx.js';
import { createSession, ort } from '../../src/runtime/session.js';
import { ModelRunner } from '../../src/upscale/modelRunner.js';
import { openThreadedBackend } from '../../src/upscale/threadedBackend.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { maxAbsDifference, repoRoot } from '../helpers.js';

// Tiny networks with random weights, written by PyTorch (make_model_fixtures.py): each layout's
// state dict, a 1x3x4x8 input and PyTorch's output for it.
const fixturesDir = join(repoRoot, 'test/fixtures/models');
const INPUT_SHAPE = [1, 3, 4, 8];

function readFloat32(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function fixtureWeights(name: string): Promise<StateDict> {
  return (await readSafetensors(join(fixturesDir, `${name}.safetensors`))).tensors;
}

/** The exported network's raw output (ModelRunner.runRgb clamps to [0, 1]; random weights go far outside). */
async function runUnclamped(spec: ModelSpec, state: StateDict, input: Float32Array): Promise<ort.Tensor> {
  const session = await createSession(exportForwardModel((ctx, x) => buildNetwork(spec, ctx, x), state));
  try {
    return (await session.run({ input: new ort.Tensor('float32', input, INPUT_SHAPE) })).output;
  } finally {
    await session.release();
  }
}

const FIXTURES: { name: string; spec: ModelSpec; description: string }[] = [
  {
    name: 'esrgan-original-x4',
    spec: { arch: 'rrdbnet', scale: 4, options: { features: 4, blocks: 2, growth: 1 } },
    description: 'ESRGAN RRDBNet (original layout), 2 blocks, 4 features, growth 1, x4',
  },
  {
    name: 'esrgan-original-x1',
    spec: { arch: 'rrdbnet', scale: 1, options: { features: 4, blocks: 1, growth: 1, upsamplings: 0 } },
    description: 'ESRGAN RRDBNet (original layout), 1 block, 4 features, growth 1, x1',
  },
  {
    name: 'esrgan-repository-x4',
    spec: { arch: 'rrdbnet', scale: 4, options: { features: 4, blocks: 1, growth: 1 } },
    description: 'ESRGAN RRDBNet (ESRGAN repository layout), 1 block, 4 features, growth 1, x4',
  },
  {
    name: 'realesrgan-rrdbnet-x2',
    spec: { arch: 'rrdbnet', scale: 2, options: { features: 4, blocks: 1, growth: 1 } },
    description: 'Real-ESRGAN RRDBNet (BasicSR layout), 1 block, 4 features, growth 1, x2',
  },
  {
    name: 'realesrgan-compact-x4',
    spec: { arch: 'srvgg-compact', scale: 4, options: { features: 4, convs: 2 } },
    description: 'Real-ESRGAN SRVGGNetCompact, 4 features, 2 convs, x4',
  },
  {
    name: 'basicsr-msrresnet-x4',
    spec: { arch: 'msrresnet', scale: 4, options: { features: 4, blocks: 2 } },
    description: 'BasicSR MSRResNet, 2 blocks, 4 features, x4',
  },
  {
    name: 'basicsr-msrresnet-x3',
    spec: { arch: 'msrresnet', scale: 3, options: { features: 4, blocks: 1 } },
    description: 'BasicSR MSRResNet, 1 block, 4 features, x3',
  },
  {
    name: 'basicsr-edsr-x2',
    spec: { arch: 'edsr', scale: 2, options: { features: 4, blocks: 2, res_scale: 1, img_range: 255 } },
    description: 'BasicSR EDSR, 2 blocks, 4 features, x2',
  },
  {
    name: 'edsr-pytorch-x3',
    spec: { arch: 'edsr', scale: 3, options: { features: 4, blocks: 2, res_scale: 1, img_range: 255 } },
    description: 'EDSR (EDSR-PyTorch layout), 2 blocks, 4 features, x3',
  },
];

describe('detectArchitecture recognises each layout from its weights and computes what PyTorch computes', () => {
  const input = readFloat32(join(fixturesDir, 'input.bin'));

  for (const fixture of FIXTURES) {
    it(`reads ${fixture.name} as ${fixture.description}`, async () => {
      const detected = detectArchitecture(await fixtureWeights(fixture.name), `${fixture.name}.safetensors`);
      expect(detected.spec).toEqual(fixture.spec);
      expect(detected.description).toBe(fixture.description);
    });

    it(`${fixture.name} gives PyTorch's output to 1e-4`, async () => {
      const { spec, state } = detectArchitecture(await fixtureWeights(fixture.name));
      const output = await runUnclamped(spec, state, input);
      expect(output.dims).toEqual([1, 3, 4 * spec.scale, 8 * spec.scale]);
      expect(maxAbsDifference(output.data as Float32Array, readFloat32(join(fixturesDir, `${fixture.name}.output.bin`)))).toBeLessThanOrEqual(1e-4);
    });
  }

  it("ModelRunner runs a detected model: PyTorch's output clamped to [0, 1]", async () => {
    for (const name of ['realesrgan-compact-x4', 'edsr-pytorch-x3']) {
      const { spec, state } = detectArchitecture(await fixtureWeights(name));
      const runner = await ModelRunner.create(openThreadedBackend(), spec, state);
      const result = await runner.run(input.slice(), 4, 8);
      await runner.release();
      const expected = readFloat32(join(fixturesDir, `${name}.output.bin`)).map((v) => Math.min(1, Math.max(0, v)));
      expect(maxAbsDifference(result, expected)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('the .pth twins (as torch.save wrote them, params_ema / params wrappers included) give the same model', async () => {
    for (const { name } of FIXTURES) {
      const fromPth = detectArchitecture(await readPytorchStateDict(join(fixturesDir, `${name}.pth`)));
      const fromSafetensors = detectArchitecture(await fixtureWeights(name));
      expect(fromPth.spec).toEqual(fromSafetensors.spec);
      expect(fromPth.description).toBe(fromSafetensors.description);
      expect([...fromPth.state.keys()].sort()).toEqual([...fromSafetensors.state.keys()].sort());
      for (const [key, tensor] of fromSafetensors.state) expect(fromPth.state.get(key)!.data).toEqual(tensor.data);
    }
  });

  it("renames the original layout's keys to our rrdbnet's and keeps the tensors", async () => {
    const weights = await fixtureWeights('esrgan-original-x4');
    const { state } = detectArchitecture(weights);
    const renamed: [string, string][] = [
      ['model.0.weight', 'conv_first.weight'],
      ['model.1.sub.1.RDB3.conv5.0.bias', 'body.1.rdb3.conv5.bias'],
      ['model.1.sub.2.weight', 'conv_body.weight'],
      ['model.3.weight', 'conv_up1.weight'],
      ['model.6.bias', 'conv_up2.bias'],
      ['model.8.weight', 'conv_hr.weight'],
      ['model.10.weight', 'conv_last.weight'],
    ];
    for (const [file, ours] of renamed) expect(state.get(ours)).toBe(weights.get(file));
    expect(state.size).toBe(weights.size);
  });
});

/** Shape-only tensors: detection reads names and shapes, so full-size layouts need no memory. */
const shaped = (...shape: number[]): TensorData => ({ dtype: 'float32', shape, data: new Float32Array(0) });

function conv(state: StateDict, name: string, out: number, inChannels: number, kernel = 3): void {
  state.set(`${name}.weight`, shaped(out, inChannels, kernel, kernel));
  state.set(`${name}.bias`, shaped(out));
}

/** RRDBNet's tensors under a layout's names (ESRGAN's original or BasicSR's). */
function rrdbnetWeights(
  names: { first: string; dense: (block: number, rdb: number, conv: number) => string; trunk: string; up: (stage: number) => string; hr: string; last: string },
  o: { features: number; blocks: number; growth: number; upsamplings: number; inChannels: number },
): StateDict {
  const state: StateDict = new Map();
  conv(state, names.first, o.features, o.inChannels);
  for (let b = 0; b < o.blocks; b++) {
    for (let r = 1; r <= 3; r++) {
      for (let c = 1; c <= 4; c++) conv(state, names.dense(b, r, c), o.growth, o.features + (c - 1) * o.growth);
      conv(state, names.dense(b, r, 5), o.features, o.features + 4 * o.growth);
    }
  }
  conv(state, names.trunk, o.features, o.features);
  for (let s = 1; s <= o.upsamplings; s++) conv(state, names.up(s), o.features, o.features);
  conv(state, names.hr, o.features, o.features);
  conv(state, names.last, 3, o.features);
  return state;
}

const originalNames = (blocks: number, upsamplings: number) => ({
  first: 'model.0',
  dense: (b: number, r: number, c: number) => `model.1.sub.${b}.RDB${r}.conv${c}.0`,
  trunk: `model.1.sub.${blocks}`,
  up: (s: number) => `model.${3 * s}`,
  hr: `model.${3 * upsamplings + 2}`,
  last: `model.${3 * upsamplings + 4}`,
});

const basicsrNames = {
  first: 'conv_first',
  dense: (b: number, r: number, c: number) => `body.${b}.rdb${r}.conv${c}`,
  trunk: 'conv_body',
  up: (s: number) => `conv_up${s}`,
  hr: 'conv_hr',
  last: 'conv_last',
};

function compactWeights(features: number, convs: number, scale: number): StateDict {
  const state: StateDict = new Map();
  conv(state, 'body.0', features, 3);
  state.set('body.1.weight', shaped(features));
  for (let i = 1; i <= convs; i++) {
    conv(state, `body.${2 * i}`, features, features);
    state.set(`body.${2 * i + 1}.weight`, shaped(features));
  }
  conv(state, `body.${2 * convs + 2}`, 3 * scale * scale, features);
  return state;
}

describe('the hyper-parameters of full-size released models are read from their shapes', () => {
  it('a community ESRGAN x4 (original layout, 23 blocks, 64 features, growth 32)', () => {
    const detected = detectArchitecture(rrdbnetWeights(originalNames(23, 2), { features: 64, blocks: 23, growth: 32, upsamplings: 2, inChannels: 3 }));
    expect(detected.spec).toEqual({ arch: 'rrdbnet', scale: 4, options: { features: 64, blocks: 23, growth: 32 } });
    expect(detected.description).toBe('ESRGAN RRDBNet (original layout), 23 blocks, 64 features, x4');
  });

  it('an ESRGAN x8 counts three upsampling convs (model.3, model.6, model.9)', () => {
    const detected = detectArchitecture(rrdbnetWeights(originalNames(23, 3), { features: 64, blocks: 23, growth: 32, upsamplings: 3, inChannels: 3 }));
    expect(detected.spec).toEqual({ arch: 'rrdbnet', scale: 8, options: { features: 64, blocks: 23, growth: 32, upsamplings: 3 } });
    expect(detected.state.has('conv_up3.weight')).toBe(true);
  });

  it('RealESRGAN_x4plus, and RealESRGAN_x2plus by its pixel-unshuffled input (conv_first takes 12 channels)', () => {
    const x4plus = detectArchitecture(rrdbnetWeights(basicsrNames, { features: 64, blocks: 23, growth: 32, upsamplings: 2, inChannels: 3 }));
    expect(x4plus.spec).toEqual({ arch: 'rrdbnet', scale: 4, options: { features: 64, blocks: 23, growth: 32 } });
    const x2plus = detectArchitecture(rrdbnetWeights(basicsrNames, { features: 64, blocks: 23, growth: 32, upsamplings: 2, inChannels: 12 }));
    expect(x2plus.spec.scale).toBe(2);
    expect(x2plus.description).toBe('Real-ESRGAN RRDBNet (BasicSR layout), 23 blocks, 64 features, x2');
  });

  it('realesr-general-x4v3 (64 features, 32 convs) and realesr-animevideov3 (64 features, 16 convs)', () => {
    expect(detectArchitecture(compactWeights(64, 32, 4)).spec).toEqual({ arch: 'srvgg-compact', scale: 4, options: { features: 64, convs: 32 } });
    expect(detectArchitecture(compactWeights(64, 16, 4)).description).toBe('Real-ESRGAN SRVGGNetCompact, 64 features, 16 convs, x4');
  });

  it("EDSR's large model (256 features) gets the paper's residual scaling 0.1, and the range its mean shift holds", () => {
    const state: StateDict = new Map();
    const range = 255;
    for (const [name, sign] of [['sub_mean', -1], ['add_mean', 1]] as const) {
      state.set(`${name}.weight`, { dtype: 'float32', shape: [3, 3, 1, 1], data: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) });
      state.set(`${name}.bias`, { dtype: 'float32', shape: [3], data: Float32Array.from(DIV2K_RGB_MEAN, (m) => sign * range * m) });
    }
    conv(state, 'head.0', 256, 3);
    for (let b = 0; b < 32; b++) {
      conv(state, `body.${b}.body.0`, 256, 256);
      conv(state, `body.${b}.body.2`, 256, 256);
    }
    conv(state, 'body.32', 256, 256);
    conv(state, 'tail.0.0', 1024, 256);
    conv(state, 'tail.0.2', 1024, 256);
    conv(state, 'tail.1', 3, 256);
    const detected = detectArchitecture(state);
    expect(detected.spec).toEqual({ arch: 'edsr', scale: 4, options: { features: 256, blocks: 32, res_scale: 0.1, img_range: 255 } });
    expect(detected.description).toBe('EDSR (EDSR-PyTorch layout), 32 blocks, 256 features, residual scaling 0.1, x4');
    expect(detected.state.has('sub_mean.weight')).toBe(false);
  });
});

describe("our own networks' weights are recognised as what they are", () => {
  it('the shipped compact-x4 model reads as the spec stored beside it', async () => {
    const { spec, state } = await loadModel(join(repoRoot, 'models/compact-x4.safetensors'));
    const detected = detectArchitecture(state);
    expect(detected.spec).toEqual(spec);
    expect([...detected.state.keys()]).toEqual([...state.keys()]);
  });

  const ownSpecs: ModelSpec[] = [
    { arch: 'srresnet', scale: 2, options: { features: 8, blocks: 2 } },
    { arch: 'rrdbnet', scale: 1, options: { features: 8, blocks: 1, growth: 4 } },
  ];
  for (const spec of ownSpecs) {
    it(`${spec.arch} x${spec.scale} built by us reads back as its spec`, () => {
      const state: StateDict = new Map();
      const graph = new Graph();
      buildNetwork(spec, BuildContext.create(graph, state, { training: false }), graph.input('x', 'float32', [1, 3, 8, 8]));
      expect(detectArchitecture(state).spec).toEqual(spec);
    });
  }
});
