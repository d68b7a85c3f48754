import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateDataset } from '../../src/evaluate/evaluateDataset.js';
import { loadMetricModels } from '../../src/metrics/srMetrics.js';
import { interpolate } from '../../src/upscale/interpolate.js';
import { datasetsDir, runCli, temporaryDirectory, useTemporaryEnhanceHome } from '../helpers.js';

// The CLI reads its weights registry from $ENHANCE_HOME, which the spawned process inherits. Seeded
// random weights (`random:<seed>`) have the real shapes and AlexNet is small, so the real code path runs.
useTemporaryEnhanceHome();

/** Two 64x64 crops of Set5 pictures: x4 bicubic SR of them is scored on 56x56 after the border crop. */
let hr: string;
beforeAll(async () => {
  hr = join(await temporaryDirectory(), 'hr');
  await mkdir(hr);
  for (const name of ['baby', 'bird']) {
    await sharp(join(datasetsDir, 'Set5/hr', `${name}.png`)).extract({ left: 96, top: 96, width: 64, height: 64 }).toFile(join(hr, `${name}.png`));
  }
});

interface LpipsReport {
  mean: { psnrY: number; lpips: number };
  images: { name: string; psnrY: number; lpips: number; seconds?: number }[];
}

describe('enhance eval --metrics lpips', () => {
  it('scores with the registered weights: the same numbers as the library, in the JSON key lpips', async () => {
    for (const [name, seed] of [['alexnet', 1], ['lpips-alex', 2]] as const) {
      expect((await runCli(['weights', 'add', name, `random:${seed}`])).code).toBe(0);
    }
    const result = await runCli(['eval', '--hr', hr, '--metrics', 'psnr,lpips', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as LpipsReport;
    expect(report.images.map((image) => image.name)).toEqual(['baby', 'bird']);
    for (const image of report.images) expect(image.lpips).toBeGreaterThan(0);
    expect(report.mean.lpips).toBeCloseTo((report.images[0].lpips + report.images[1].lpips) / 2, 12);

    const library = await evaluateDataset({
      hr,
      scale: 4,
      metrics: ['psnr', 'lpips'],
      models: await loadMetricModels(['lpips']),
      method: 'bicubic',
      superResolve: (lr) => interpolate(lr, 4, 'bicubic'),
    });
    // The scores, not the times (each run times its own super-resolution).
    const scores = (images: { seconds?: number }[]) => images.map(({ seconds: _seconds, ...rest }) => rest);
    expect(scores(report.images)).toEqual(scores(library.images));
  });

  it('--lpips-net vgg uses VGG16 and its layer weights', async () => {
    for (const [name, seed] of [['vgg16', 1], ['lpips-vgg', 2]] as const) {
      expect((await runCli(['weights', 'add', name, `random:${seed}`])).code).toBe(0);
    }
    const result = await runCli(['eval', '--hr', hr, '--metrics', 'lpips', '--lpips-net', 'vgg', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as LpipsReport;
    expect(report.images.every((image) => image.lpips > 0)).toBe(true);
  });

  it('without registered weights, says in one line which files to get and the commands to run', async () => {
    const result = await runCli(['eval', '--hr', hr, '--metrics', 'psnr,lpips', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([expect.stringMatching(/^enhance: LPIPS \(alex\) needs weights that are not registered/), '']);
    for (const text of ['alexnet-owt-7be5be79.pth', 'enhance weights add alexnet <file>', 'alex.pth', 'enhance weights add lpips-alex <file>']) {
      expect(result.stderr).toContain(text);
    }
  });
});
