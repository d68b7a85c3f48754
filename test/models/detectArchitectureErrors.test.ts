import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../src/checkpoint/safetensors.js';
import { EnhanceError } from '../../src/errors.js';
import type { TensorData } from '../../src/graph/tensorData.js';
import { WEIGHT_LAYOUTS } from '../../src/architectures/registry.js';
import { detectArchitecture } from '../../src/models/detectArchitecture.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { repoRoot } from '../helpers.js';

const fixturesDir = join(repoRoot, 'test/fixtures/models');

async function fixtureWeights(name: string): Promise<StateDict> {
  return (await readSafetensors(join(fixturesDir, `${name}.safetensors`))).tensors;
}

const zeros = (...shape: number[]): TensorData => ({ dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

/** The EnhanceError detection throws (the CLI prints it as one line). */
function detectionError(state: StateDict, file = 'model.pth'): EnhanceError {
  try {
    detectArchitecture(state, file);
  } catch (error) {
    expect(error).toBeInstanceOf(EnhanceError);
    expect((error as EnhanceError).file).toBe(file);
    return error as EnhanceError;
  }
  throw new Error('detection succeeded');
}

describe('weights of no known layout', () => {
  it('are refused naming some of their keys and every layout tried', () => {
    const state: StateDict = new Map([
      ['encoder.0.weight', zeros(8, 3, 3, 3)],
      ['encoder.0.bias', zeros(8)],
      ['decoder.weight', zeros(3, 8, 3, 3)],
    ]);
    const { message } = detectionError(state);
    expect(message).toMatch(/^model\.pth: is not a network enhance recognises: its keys begin encoder\.0\.weight, encoder\.0\.bias, decoder\.weight; tried /);
    expect(WEIGHT_LAYOUTS.length).toBeGreaterThan(8);
    for (const layout of WEIGHT_LAYOUTS) expect(message).toContain(layout.name);
  });

  it('list only the first keys of a long file, with the count', () => {
    const state: StateDict = new Map(Array.from({ length: 40 }, (_, i) => [`layers.${i}.weight`, zeros(1)] as const));
    expect(detectionError(state).message).toContain('layers.5.weight, ... (40 in all)');
  });

  it('include an empty file', () => {
    expect(detectionError(new Map()).message).toContain('it holds no tensors');
  });
});

describe('weights that match a layout but not its network name the offending key', () => {
  it('a tensor missing inside a block', async () => {
    const state = await fixtureWeights('esrgan-original-x4');
    state.delete('model.1.sub.1.RDB2.conv3.0.weight');
    expect(detectionError(state).message).toBe(
      "model.pth: has no tensor 'model.1.sub.1.RDB2.conv3.0.weight' (the network needs it) (read as ESRGAN RRDBNet (original layout), 2 blocks, 4 features, growth 1, x4)",
    );
  });

  it('a missing block (the trunk conv sits after three blocks, block 2 is absent)', async () => {
    const state = await fixtureWeights('esrgan-original-x4');
    for (const kind of ['weight', 'bias']) {
      state.set(`model.1.sub.3.${kind}`, state.get(`model.1.sub.2.${kind}`)!);
      state.delete(`model.1.sub.2.${kind}`);
    }
    expect(detectionError(state).message).toContain("has no tensor 'model.1.sub.2.RDB1.conv1.0.weight' (the network needs it) (read as ESRGAN RRDBNet (original layout), 3 blocks");
  });

  it('a tensor of the wrong shape', async () => {
    const state = await fixtureWeights('esrgan-original-x4');
    state.set('model.8.weight', zeros(4, 4, 1, 1));
    expect(detectionError(state).message).toContain("'model.8.weight' does not fit: the stored tensor is [4, 4, 1, 1], the network needs [4, 4, 3, 3]");
  });

  it('a tensor the network has no place for', async () => {
    const state = await fixtureWeights('esrgan-original-x4');
    state.set('model.1.sub.0.RDB1.conv1x1.weight', zeros(1, 4, 1, 1));
    expect(detectionError(state).message).toContain("'model.1.sub.0.RDB1.conv1x1.weight' has no place in the network");
  });

  it('a renamed layout whose parameter is missing is reported under the file name, not ours', async () => {
    const state = await fixtureWeights('edsr-pytorch-x3');
    state.delete('body.1.body.2.bias');
    expect(detectionError(state).message).toContain("has no tensor 'body.1.body.2.bias' (the network needs it) (read as EDSR (EDSR-PyTorch layout)");
  });

  it('layers after the ESRGAN trunk that are not x2 upsampling stages', async () => {
    const state = await fixtureWeights('esrgan-original-x4');
    state.set('model.12.weight', zeros(3, 4, 3, 3));
    expect(detectionError(state).message).toBe(
      "model.pth: looks like ESRGAN RRDBNet (original layout) but its layers after the trunk (model.3, model.6, model.8, model.10, model.12) are not ESRGAN's upsampling stages",
    );
  });

  it('an EDSR-PyTorch mean shift other than DIV2K mean with unit std', async () => {
    const state = await fixtureWeights('edsr-pytorch-x3');
    const bias = state.get('sub_mean.bias')!;
    state.set('sub_mean.bias', { ...bias, data: Float32Array.from([-100, -100, -100]) });
    expect(detectionError(state).message).toContain("looks like EDSR (EDSR-PyTorch layout) but 'sub_mean' is not the DIV2K mean shift");
  });

  it('a network for 2-channel pictures (gray, RGB and RGBA models run)', async () => {
    const state = await fixtureWeights('realesrgan-compact-x4');
    state.set('body.0.weight', zeros(4, 2, 3, 3));
    expect(detectionError(state).message).toContain("'body.0.weight' gives it 2 input channels; gray (1), RGB (3) or RGBA (4) models can be run");
  });

  it('a conv whose output channels are no PixelShuffle of RGB', async () => {
    const state = await fixtureWeights('realesrgan-compact-x4');
    state.set('body.6.weight', zeros(20, 4, 3, 3));
    expect(detectionError(state).message).toContain("'body.6.weight' has 20 output channels, not 3 x a square scale");
  });
});
