import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { Graph } from '../../src/graph/graph.js';
import { readNpz } from '../../src/io/npy.js';
import { PERCEPTUAL_LOSSES, perceptualLoss, type PerceptualLossOptions } from '../../src/losses/perceptualLoss.js';
import { randomVggWeights } from '../../src/nn/networks/vgg.js';
import { readWeights } from '../../src/weights/weightsRegistry.js';
import { checkGradients, randomFill } from '../autodiff/gradcheck.js';
import { runGraph } from '../graph/runGraph.js';
import { repoRoot } from '../helpers.js';

// Reference losses: BasicSR's PerceptualLoss computed by PyTorch on narrow VGGs (test/fixtures/vgg/make_vgg_fixtures.py).
const fixtures = join(repoRoot, 'test/fixtures/vgg');

async function lossAgainstPytorch(variant: 'vgg16' | 'vgg19', name: string, options: PerceptualLossOptions): Promise<void> {
  const reference = await readNpz(join(fixtures, `${variant}-narrow.npz`));
  const { state } = await readWeights(variant, join(fixtures, `${variant}-narrow.pth`), { widthDivisor: 32 });
  const graph = new Graph();
  const prediction = graph.input('prediction', 'float32', [1, 3, 32, 32]);
  const target = graph.input('target', 'float32', [1, 3, 32, 32]);
  const loss = perceptualLoss(state, options)(prediction, target);
  const [value] = await runGraph(
    [
      [prediction, reference.get('prediction')!.data as Float32Array],
      [target, reference.get('target')!.data as Float32Array],
    ],
    [loss],
  );
  const expected = (reference.get(`loss.${name}`)!.data as Float32Array)[0];
  expect(expected).toBeGreaterThan(0);
  expect(Math.abs(value[0] - expected) / expected).toBeLessThan(1e-4);
}

describe('perceptualLoss equals BasicSR\'s PerceptualLoss in PyTorch', () => {
  it('ESRGAN: VGG19 conv5_4 before the activation, L1', () => lossAgainstPytorch('vgg19', 'esrgan', PERCEPTUAL_LOSSES.esrgan));
  it('SRGAN VGG54: VGG19 relu5_4, MSE', () => lossAgainstPytorch('vgg19', 'srgan', PERCEPTUAL_LOSSES.srgan));
  it('Johnson et al.: VGG16 relu3_3, MSE', () => lossAgainstPytorch('vgg16', 'johnson', PERCEPTUAL_LOSSES.johnson));
  it('several weighted layers: 0.5 relu1_2 + 1 conv3_4, L1', () =>
    lossAgainstPytorch('vgg19', 'mixed', { variant: 'vgg19', layers: { relu1_2: 0.5, conv3_4: 1 }, criterion: 'l1' }));
});

describe('perceptualLoss in a graph', () => {
  const weights = randomVggWeights('vgg19', 1, 16);

  it('is zero for equal pictures, and the VGG stays frozen: no trainable parameter enters the graph', async () => {
    const graph = new Graph();
    const x = graph.input('x', 'float32', [1, 3, 16, 16]);
    const loss = perceptualLoss(weights, PERCEPTUAL_LOSSES.esrgan)(x, x);
    expect(graph.parameters).toHaveLength(0);
    const [value] = await runGraph([[x, randomFill(768, 3).map((v) => (v + 1) / 2)]], [loss]);
    expect(value[0]).toBe(0);
  });

  it('stores one copy of the VGG weights however many pictures go through it', () => {
    const graph = new Graph();
    const loss = perceptualLoss(weights, PERCEPTUAL_LOSSES.esrgan);
    loss(graph.input('a', 'float32', [1, 3, 16, 16]), graph.input('b', 'float32', [1, 3, 16, 16]));
    loss(graph.input('c', 'float32', [1, 3, 16, 16]), graph.input('d', 'float32', [1, 3, 16, 16]));
    const bigConstants = [...graph.initialValues.values()].filter((tensor) => tensor.shape.length === 4 && tensor.shape[2] === 3);
    expect(bigConstants).toHaveLength(16);
  });

  it('has the gradient finite differences give w.r.t. the predicted picture, through convs, ReLUs and pools', async () => {
    const target = randomFill(3 * 8 * 8, 11).map((v) => (v + 1) / 2);
    await checkGradients(
      [{ shape: [1, 3, 8, 8], data: randomFill(3 * 8 * 8, 5).map((v) => (v + 1) / 2) }],
      (x) => {
        const y = x.graph.constant({ dtype: 'float32', shape: [1, 3, 8, 8], data: target });
        // Weights that make the gradient O(1-10), so the check's relative tolerance means something.
        return perceptualLoss(weights, { variant: 'vgg19', layers: { relu2_2: 100, conv3_1: 50 }, criterion: 'mse' })(x, y);
      },
      { epsilon: 1e-3, tolerance: 2e-3, coordinates: 4 },
    );
  });

  it('rejects a layer the network does not have, listing those it has', () => {
    const build = () => perceptualLoss(weights, { variant: 'vgg16', layers: { conv5_4: 1 }, criterion: 'l1' });
    expect(build).toThrow(EnhanceError);
    expect(build).toThrow(/^vgg16 has no layer conv5_4; its layers are conv1_1, relu1_1, conv1_2, .*, relu5_3, pool5$/);
  });
});
