import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSafetensors } from '../../src/checkpoint/safetensors.js';
import { Graph } from '../../src/graph/graph.js';
import { readNpz, type NpyArray } from '../../src/io/npy.js';
import type { StateDict } from '../../src/nn/buildContext.js';
import { vggFeatureExtractor } from '../../src/nn/networks/vgg.js';
import { readWeights } from '../../src/weights/weightsRegistry.js';
import { runGraph } from '../graph/runGraph.js';
import { maxAbsDifference, repoRoot, temporaryDirectory } from '../helpers.js';

// test/fixtures/vgg/make_vgg_fixtures.py: narrow (widths / 32) torchvision-layout VGGs saved by PyTorch,
// with PyTorch's activations of a fixed 1x3x32x32 picture.
const fixtures = join(repoRoot, 'test/fixtures/vgg');

async function featuresMatchPytorch(variant: 'vgg16' | 'vgg19', weights: StateDict): Promise<void> {
  const reference = await readNpz(join(fixtures, `${variant}-narrow.npz`));
  const layers = [...reference.keys()].filter((key) => key.startsWith('features.')).map((key) => key.slice('features.'.length));
  const graph = new Graph();
  const x = graph.input('x', 'float32', [1, 3, 32, 32]);
  const features = vggFeatureExtractor(variant, weights)(x, layers);
  const outputs = await runGraph([[x, reference.get('prediction')!.data as Float32Array]], layers.map((name) => features.get(name)!));
  layers.forEach((name, i) => {
    const expected: NpyArray = reference.get(`features.${name}`)!;
    expect(features.get(name)!.shape, name).toEqual(expected.shape);
    expect(maxAbsDifference(outputs[i], expected.data as Float32Array), name).toBeLessThan(1e-4);
  });
}

describe('the VGG feature extractor matches PyTorch', () => {
  it('on a torchvision-layout VGG19 .pth, before and after activations and pools', async () => {
    const { state, format } = await readWeights('vgg19', join(fixtures, 'vgg19-narrow.pth'), { widthDivisor: 32 });
    expect(format).toBe('pytorch');
    expect(state.has('classifier.0.weight')).toBe(true); // read, and ignored by the extractor
    await featuresMatchPytorch('vgg19', state);
  });

  it('on a VGG16 .pth', async () => {
    await featuresMatchPytorch('vgg16', (await readWeights('vgg16', join(fixtures, 'vgg16-narrow.pth'), { widthDivisor: 32 })).state);
  });

  it('on the same weights as .safetensors', async () => {
    const { state } = await readWeights('vgg19', join(fixtures, 'vgg19-narrow.pth'), { widthDivisor: 32 });
    const path = join(await temporaryDirectory(), 'vgg19.safetensors');
    await writeFile(path, encodeSafetensors(state));
    const fromSafetensors = await readWeights('vgg19', path, { widthDivisor: 32 });
    expect(fromSafetensors.format).toBe('safetensors');
    await featuresMatchPytorch('vgg19', fromSafetensors.state);
  });

  it('on an ONNX export of the features, its convs mapped to features.N by node order', async () => {
    const { state, format } = await readWeights('vgg19', join(fixtures, 'vgg19-narrow.onnx'), { widthDivisor: 32 });
    expect(format).toBe('onnx');
    expect([...state.keys()].filter((key) => key.endsWith('.weight')).slice(-2)).toEqual(['features.32.weight', 'features.34.weight']);
    await featuresMatchPytorch('vgg19', state);
  });
});
