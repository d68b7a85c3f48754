import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { writeImage } from '../../src/image/writeImage.js';
import { readImage } from '../../src/image/readImage.js';
import { saveModel } from '../../src/models/modelFile.js';
import { BuildContext, type StateDict } from '../../src/nn/buildContext.js';
import { buildNetwork, type ModelSpec } from '../../src/architectures/registry.js';
import { ModelRunner } from '../../src/upscale/modelRunner.js';
import { openThreadedBackend } from '../../src/upscale/threadedBackend.js';
import { datasetsDir, maxAbsDifference, randomImage, runCli, temporaryDirectory } from '../helpers.js';

/** A small random model file, made the way training makes one. */
async function makeModel(dir: string, scale = 2): Promise<{ path: string; spec: ModelSpec; state: StateDict }> {
  const spec: ModelSpec = { arch: 'srvgg-compact', scale, options: { features: 8, convs: 2 } };
  const state: StateDict = new Map();
  const graph = new Graph();
  buildNetwork(spec, BuildContext.create(graph, state, { training: false, seed: 5 }), graph.input('x', 'float32', [1, 3, 4, 4]));
  const path = join(dir, 'tiny.safetensors');
  await saveModel(path, spec, state, { note: 'test' });
  return { path, spec, state };
}

describe('models from the CLI', () => {
  it('enhance models lists the shipped models, each scale\'s default first and marked', async () => {
    const result = await runCli(['models']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(['photo-x2', 'photo-x4', 'compact-x2', 'compact-x4', 'compact-x4-gan']);
    expect(lines[1]).toMatch(/^photo-x4 {2}x4 {2}srvgg-compact \{"features":48,"convs":10\} {2}230,496 parameters, the default, Set14 \(LR lr_x4\) PSNR-Y 22\.\d+ dB$/);
    expect(lines[3]).toMatch(/^compact-x4 {2}x4 {2}srvgg-compact \{"features":48,"convs":10\} {2}230,496 parameters, Set5 PSNR-Y 31\.0\d* dB$/);
    for (const line of lines.slice(2)) expect(line).not.toContain('the default');
  });

  it('enhance upscale --model runs the model file, keeping alpha', async () => {
    const dir = await temporaryDirectory();
    const { path, spec, state } = await makeModel(dir);
    const image = randomImage(4, 10, 9, 2);
    await writeImage(join(dir, 'in.png'), image);
    const result = await runCli(['upscale', join(dir, 'in.png'), '--model', path, '-o', join(dir, 'out.png')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const meta = await sharp(join(dir, 'out.png')).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([18, 20, 4]);
    const runner = await ModelRunner.create(openThreadedBackend(), spec, state);
    const expected = await runner.upscale(image);
    expect(maxAbsDifference((await readImage(join(dir, 'out.png'))).image.data, expected.data)).toBeLessThanOrEqual(0.5 / 255 + 1e-6);
    await runner.release();
  });

  it('enhance eval --model scores the model on a dataset', async () => {
    const dir = await temporaryDirectory();
    const { path } = await makeModel(dir);
    const result = await runCli(['eval', '--hr', join(datasetsDir, 'Set5/hr'), '--scale', '2', '--model', path, '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.method).toBe('tiny');
    expect(report.images).toHaveLength(5);
    expect(report.mean.psnrY).toBeGreaterThan(10);
  });

  it('a scale other than the model\'s runs the model as often as it takes: x4 with an x2 model is two passes', async () => {
    const dir = await temporaryDirectory();
    const { path } = await makeModel(dir);
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 5));
    const result = await runCli(['upscale', join(dir, 'in.png'), '--model', path, '--scale', '4']);
    expect(result.code).toBe(0);
    expect(await sharp(join(dir, 'in_x4.png')).metadata()).toMatchObject({ width: 20, height: 16 });
  });

  it('a file that is not a model is a clear error', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 4));
    const result = await runCli(['upscale', join(dir, 'in.png'), '--model', join(dir, 'in.png'), '-o', join(dir, 'out.png')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('is not a model file enhance can read');
  });
});
