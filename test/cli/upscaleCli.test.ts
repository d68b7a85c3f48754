import { copyFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeImage } from '../../src/image/writeImage.js';
import { readImage } from '../../src/image/readImage.js';
import { createImageTensor } from '../../src/image/tensor.js';
import { interpolate } from '../../src/upscale/interpolate.js';
import { datasetsDir, maxAbsDifference, randomImage, repoRoot, runCli, temporaryDirectory } from '../helpers.js';

describe('enhance upscale', () => {
  it('keeps alpha: RGBA in, RGBA out; bicubic alpha keeps transparent pixels exactly transparent', async () => {
    const dir = await temporaryDirectory();
    const image = randomImage(4, 10, 12, 3);
    const alpha = image.data.subarray(3 * 120);
    for (let i = 0; i < 120; i++) alpha[i] = i % 12 < 6 ? 0 : 1;
    await writeImage(join(dir, 'in.png'), image);
    for (const mode of ['model', 'bicubic']) {
      const result = await runCli(['upscale', join(dir, 'in.png'), '-o', join(dir, `${mode}.png`), '--scale', '2', '--alpha', mode]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const meta = await sharp(join(dir, `${mode}.png`)).metadata();
      expect([meta.channels, meta.hasAlpha, meta.width, meta.height]).toEqual([4, true, 24, 20]);
      const out = (await readImage(join(dir, `${mode}.png`))).image;
      const tolerance = mode === 'bicubic' ? 0 : 3 / 255;
      expect(out.data[3 * 480 + 0]).toBeLessThanOrEqual(tolerance); // top-left stays transparent
      expect(out.data[3 * 480 + 23]).toBeGreaterThanOrEqual(1 - tolerance); // top-right stays opaque
    }
  });

  it('keeps a 16-bit PNG 16-bit', async () => {
    const dir = await temporaryDirectory();
    const image = createImageTensor(3, 8, 8, Float32Array.from({ length: 192 }, (_, i) => (i * 300) / 65535));
    await writeImage(join(dir, 'deep.png'), image, { bitDepth: 16 });
    const result = await runCli(['upscale', join(dir, 'deep.png'), '-o', join(dir, 'deep_x4.png')]);
    expect(result.code).toBe(0);
    const meta = await sharp(join(dir, 'deep_x4.png')).metadata();
    expect([meta.depth, meta.width]).toEqual(['ushort', 32]);
    const out = (await readImage(join(dir, 'deep_x4.png'))).image;
    expect(out.data.some((v) => Math.abs(v * 255 - Math.round(v * 255)) > 0.01)).toBe(true);
  });

  it('keeps a grayscale picture grayscale', async () => {
    const dir = await temporaryDirectory();
    await copyFile(join(datasetsDir, 'Set14/hr/bridge.png'), join(dir, 'bridge.png'));
    const result = await runCli(['upscale', join(dir, 'bridge.png'), '--scale', '2', '--method', 'lanczos']);
    expect(result.code).toBe(0);
    const meta = await sharp(join(dir, 'bridge_x2.png')).metadata();
    expect([meta.channels, meta.width, meta.height]).toEqual([1, 1024, 1024]);
  });

  it('writes what the library computes, MATLAB bicubic for --method bicubic', async () => {
    const dir = await temporaryDirectory();
    const lr = join(datasetsDir, 'Set5/lr_x4_matlab/img_002_SRF_4_LR.png');
    const result = await runCli(['upscale', lr, '-o', join(dir, 'bird.png'), '--scale', '4', '--method', 'bicubic']);
    expect(result.code).toBe(0);
    const expected = interpolate((await readImage(lr)).image, 4, 'bicubic');
    expect(maxAbsDifference((await readImage(join(dir, 'bird.png'))).image.data, expected.data)).toBeLessThan(1e-6);
  });

  it('upscales a folder into a folder, mirroring sub-folders', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in/a.png'), randomImage(3, 4, 4, 1));
    await writeImage(join(dir, 'in/sub/b.jpg'), randomImage(3, 5, 5, 2));
    const result = await runCli(['upscale', join(dir, 'in'), '-o', join(dir, 'out'), '--scale', '3']);
    expect(result.code).toBe(0);
    expect((await sharp(join(dir, 'out/a.png')).metadata()).width).toBe(12);
    expect((await sharp(join(dir, 'out/sub/b.jpg')).metadata()).width).toBe(15);
  });

  it('reports a failed image, finishes the others and exits 2', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'good.png'), randomImage(3, 4, 4, 1));
    await copyFile(join(dir, 'good.png'), join(dir, 'also-good.png'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'bad.png'), 'junk');
    const result = await runCli(['upscale', join(dir, 'good.png'), join(dir, 'bad.png'), join(dir, 'also-good.png'), '-o', join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`enhance: ${join(dir, 'bad.png')}: not an image`);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['also-good.png', 'good.png']);
    expect((await stat(join(dir, 'out/good.png'))).size).toBeGreaterThan(0);
  });
});

describe('enhance upscale interrupted', () => {
  it('Ctrl-C mid-way through a folder exits 130 and leaves only complete pictures', async () => {
    const dir = await temporaryDirectory();
    for (let i = 0; i < 4; i++) await writeImage(join(dir, `in/${i}.png`), randomImage(3, 192, 192, i));
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(repoRoot, 'bin/enhance.js'), 'upscale', join(dir, 'in'), '-o', join(dir, 'out'), '--tile', '32'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    // Interrupt once the first picture is written (the second is then in progress).
    await new Promise<void>((resolve) => {
      const timer = setInterval(async () => {
        if ((await readdir(join(dir, 'out')).catch(() => [])).some((f) => f.endsWith('.png') && !f.startsWith('.'))) {
          clearInterval(timer);
          child.kill('SIGINT');
          resolve();
        }
      }, 20);
    });
    const code = await new Promise((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? signal)));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted; no partial output was left behind');
    const left = await readdir(join(dir, 'out'));
    expect(left.filter((f) => f.startsWith('.'))).toEqual([]); // no temporary files
    expect(left.length).toBeGreaterThanOrEqual(1);
    expect(left.length).toBeLessThan(4);
    for (const file of left) expect((await sharp(join(dir, 'out', file)).metadata()).width).toBe(768);
  });
});
