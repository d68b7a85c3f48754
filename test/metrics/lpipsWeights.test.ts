import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { createImageTensor } from '../../src/image/tensor.js';
import { loadLpipsMetric } from '../../src/metrics/lpips.js';
import { readWeights, registerWeights } from '../../src/weights/weightsRegistry.js';
import { randomImage, repoRoot, temporaryDirectory } from '../helpers.js';

const fixtures = join(repoRoot, 'test/fixtures/lpips');

describe('LPIPS weights in the registry', () => {
  it("reads torchvision's AlexNet layout and LPIPS's lin<k>.model.1.weight names, classifier keys ignored", async () => {
    const { state: backbone } = await readWeights('alexnet', join(fixtures, 'alexnet-narrow.pth'), { widthDivisor: 16 });
    expect([...backbone.keys()].filter((key) => key.startsWith('features.'))).toEqual(
      [0, 3, 6, 8, 10].flatMap((index) => [`features.${index}.weight`, `features.${index}.bias`]),
    );
    const { state: linear } = await readWeights('lpips-alex', join(fixtures, 'lpips-alex-narrow.pth'), { widthDivisor: 16 });
    expect([...linear.entries()].map(([key, tensor]) => [key, tensor.shape])).toEqual([4, 12, 24, 16, 16].map((c, k) => [`lin${k}.model.1.weight`, [1, c, 1, 1]]));
  });

  it.each([
    ['alexnet', join(fixtures, 'alexnet-narrow.pth'), 'features.0.weight (conv1 weight) is [4, 3, 11, 11], alexnet needs [64, 3, 11, 11]'],
    ['lpips-alex', join(fixtures, 'lpips-alex-narrow.pth'), 'lin0.model.1.weight is [1, 4, 1, 1], LPIPS with alexnet needs [1, 64, 1, 1]'],
    ['lpips-vgg', join(fixtures, 'lpips-vgg-narrow.pth'), 'lin0.model.1.weight is [1, 2, 1, 1], LPIPS with vgg16 needs [1, 64, 1, 1]'],
    ['lpips-vgg', join(fixtures, 'lpips-alex-narrow.pth'), 'lin0.model.1.weight is [1, 4, 1, 1], LPIPS with vgg16 needs [1, 64, 1, 1]'],
  ])('checks %s shapes at the real widths, naming the tensor (%s)', async (name, file, problem) => {
    await expect(readWeights(name, file)).rejects.toThrow(`${file}: ${problem}`);
  });

  it('random:<seed> gives seeded weights of the real shapes, layer weights non-negative', async () => {
    const { state } = await readWeights('lpips-vgg', 'random:3');
    expect([...state.values()].map((tensor) => tensor.shape[1])).toEqual([64, 128, 256, 512, 512]);
    expect([...state.values()].every((tensor) => (tensor.data as Float32Array).every((v) => v >= 0))).toBe(true);
    const again = (await readWeights('lpips-vgg', 'random:3')).state;
    expect(again.get('lin4.model.1.weight')!.data).toEqual(state.get('lin4.model.1.weight')!.data);
  });
});

describe('loadLpipsMetric', () => {
  it('names every missing file and the enhance weights add command for each', async () => {
    const home = await temporaryDirectory();
    const attempt = loadLpipsMetric('alex', { home });
    await expect(attempt).rejects.toThrow(EnhanceError);
    await expect(attempt).rejects.toThrow(
      'LPIPS (alex) needs weights that are not registered (enhance downloads nothing): ' +
        "get alexnet-owt-7be5be79.pth from https://download.pytorch.org/models/alexnet-owt-7be5be79.pth (or an ONNX export of torchvision's alexnet, or a .safetensors with torchvision's features.N.weight/bias names) and run: enhance weights add alexnet <file>; " +
        'get alex.pth from https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/alex.pth (or lpips/weights/v0.1/alex.pth of the lpips Python package, or a .safetensors with lin0..lin4.model.1.weight) and run: enhance weights add lpips-alex <file>',
    );
  });

  it('asks only for what is missing: the VGG variant with its layer weights registered needs VGG16', async () => {
    const home = await temporaryDirectory();
    await registerWeights('lpips-vgg', 'random:0', { home });
    await expect(loadLpipsMetric('vgg', { home })).rejects.toThrow(/registered \(enhance downloads nothing\): get vgg16-397923af\.pth from [^;]+ and run: enhance weights add vgg16 <file>$/);
  });

  it('scores pictures with registered (random) full-size AlexNet weights', async () => {
    const home = await temporaryDirectory();
    await registerWeights('alexnet', 'random:1', { home });
    await registerWeights('lpips-alex', 'random:2', { home });
    const metric = await loadLpipsMetric('alex', { home });
    const a = randomImage(3, 40, 48, 1);
    const b = createImageTensor(3, 40, 48, a.data.map((v, i) => (i % 7 === 0 ? 1 - v : v)));
    const distance = await metric.distance(a, b);
    expect(distance).toBeGreaterThan(0);
    expect(await metric.distance(a, a)).toBe(0);
  });
});
