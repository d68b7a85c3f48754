import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { cropImage, createImageTensor, selectChannels, type ImageTensor } from '../../src/image/tensor.js';
import { readNpz } from '../../src/io/npy.js';
import { LpipsMetric, type LpipsNet, type LpipsWeights } from '../../src/metrics/lpips.js';
import { readWeights } from '../../src/weights/weightsRegistry.js';
import { repoRoot } from '../helpers.js';

// Reference distances: LPIPS v0.1 written out in PyTorch (float64) on narrow networks, test/fixtures/lpips/make_lpips_fixtures.py.
const fixtures = join(repoRoot, 'test/fixtures/lpips');
const NARROW = { alex: { backbone: 'alexnet', divisor: 16, file: join(fixtures, 'alexnet-narrow.pth') }, vgg: { backbone: 'vgg16', divisor: 32, file: join(repoRoot, 'test/fixtures/vgg/vgg16-narrow.pth') } };

async function narrowWeights(net: LpipsNet, backboneFile = NARROW[net].file): Promise<LpipsWeights> {
  const widthDivisor = NARROW[net].divisor;
  const backbone = (await readWeights(NARROW[net].backbone, backboneFile, { widthDivisor })).state;
  const linear = (await readWeights(`lpips-${net}`, join(fixtures, `lpips-${net}-narrow.pth`), { widthDivisor })).state;
  return { backbone, linear };
}

let reference: Awaited<ReturnType<typeof readNpz>>;
const picture = (name: string): ImageTensor => {
  const array = reference.get(name)!;
  return createImageTensor(3, array.shape[2], array.shape[3], array.data as Float32Array);
};
const expected = (name: string): number => (reference.get(name)!.data as Float32Array)[0];

beforeAll(async () => {
  reference = await readNpz(join(fixtures, 'lpips-narrow.npz'));
});

describe('LPIPS equals the PyTorch reference on narrow networks', () => {
  it('AlexNet: pictures of different sizes through one session, down to the smallest (31 pixels high)', async () => {
    const metric = await LpipsMetric.create('alex', await narrowWeights('alex'));
    for (const pair of ['large', 'small']) {
      const distance = await metric.distance(picture(`${pair}.0`), picture(`${pair}.1`));
      expect(expected(`alex.${pair}`)).toBeGreaterThan(0.01);
      expect(Math.abs(distance - expected(`alex.${pair}`))).toBeLessThan(1e-4);
    }
  });

  it('VGG16', async () => {
    const metric = await LpipsMetric.create('vgg', await narrowWeights('vgg'));
    const distance = await metric.distance(picture('large.0'), picture('large.1'));
    expect(expected('vgg.large')).toBeGreaterThan(0.01);
    expect(Math.abs(distance - expected('vgg.large'))).toBeLessThan(1e-4);
  });

  it("AlexNet weights read from an ONNX export of torchvision's features give the same distance", async () => {
    const metric = await LpipsMetric.create('alex', await narrowWeights('alex', join(fixtures, 'alexnet-narrow.onnx')));
    const distance = await metric.distance(picture('large.0'), picture('large.1'));
    expect(Math.abs(distance - expected('alex.large'))).toBeLessThan(1e-4);
  });
});

describe('LpipsMetric', () => {
  let metric: LpipsMetric;
  beforeAll(async () => {
    metric = await LpipsMetric.create('alex', await narrowWeights('alex'));
  });

  it('is 0 for equal pictures and symmetric', async () => {
    const [a, b] = [picture('large.0'), picture('large.1')];
    expect(await metric.distance(a, a)).toBe(0);
    expect(Math.abs((await metric.distance(b, a)) - (await metric.distance(a, b)))).toBeLessThan(1e-6);
  });

  it('crop removes that many pixels at every border', async () => {
    const [a, b] = [picture('large.0'), picture('large.1')];
    const cropped = await metric.distance(cropImage(a, 2, 2, a.height - 4, a.width - 4), cropImage(b, 2, 2, b.height - 4, b.width - 4));
    expect(await metric.distance(a, b, { crop: 2 })).toBe(cropped);
    expect(cropped).not.toBe(await metric.distance(a, b));
  });

  it('rounds to 8-bit levels as saved results are', async () => {
    const [a, b] = [picture('large.0'), picture('large.1')];
    const nudged = createImageTensor(3, a.height, a.width, a.data.map((v) => Math.min(1, v + 0.4 / 255)));
    expect(await metric.distance(nudged, b)).toBe(await metric.distance(a, b));
  });

  it('scores gray pictures as RGB with the gray repeated, and ignores alpha', async () => {
    const [a, b] = [picture('large.0'), picture('large.1')];
    const gray = (image: ImageTensor) => selectChannels(image, [1]);
    expect(await metric.distance(gray(a), gray(b))).toBe(await metric.distance(selectChannels(a, [1, 1, 1]), selectChannels(b, [1, 1, 1])));
    expect(await metric.distance(selectChannels(a, [0, 1, 2, 0]), selectChannels(b, [0, 1, 2, 2]))).toBe(await metric.distance(a, b));
  });

  it('refuses pictures smaller than its deepest layer needs, saying the minimum', async () => {
    const a = picture('small.0');
    const tooSmall = cropImage(a, 0, 0, 30, 33);
    await expect(metric.distance(tooSmall, tooSmall)).rejects.toThrow(EnhanceError);
    await expect(metric.distance(a, a, { crop: 1 })).rejects.toThrow('LPIPS (alex) needs pictures of at least 31x31 pixels after the 1-pixel border crop, got 33x31');
  });

  it('refuses layer weights made for another backbone, naming the weight', async () => {
    const { backbone } = await narrowWeights('alex');
    const { linear } = await narrowWeights('vgg');
    await expect(LpipsMetric.create('alex', { backbone, linear })).rejects.toThrow(
      'the LPIPS layer weight lin0.model.1.weight is [1, 2, 1, 1], but alexnet relu1 has 4 channels: [1, 4, 1, 1] is needed',
    );
  });
});
