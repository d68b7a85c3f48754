import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { datasetsDir, runCli, temporaryDirectory } from '../helpers.js';

interface Report {
  scale: number;
  method: string;
  mean: { psnrY: number; ssimY: number };
  images: { name: string; psnrY: number; ssimY: number }[];
}

async function evalJson(args: string[]): Promise<Report> {
  const result = await runCli(['eval', ...args, '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

// Published bicubic x4 numbers (ESRGAN paper, Table 2; the same in SRCNN/VDSR/EDSR tables).
describe('enhance eval reproduces the published bicubic baselines', () => {
  it('Set5 x4: PSNR-Y 28.42 dB, SSIM-Y 0.8104', async () => {
    const report = await evalJson(['--hr', join(datasetsDir, 'Set5/hr'), '--scale', '4', '--method', 'bicubic']);
    expect(report.scale).toBe(4);
    expect(report.method).toBe('bicubic');
    expect(report.images.map((i) => i.name)).toEqual(['baby', 'bird', 'butterfly', 'head', 'woman']);
    expect(Math.abs(report.mean.psnrY - 28.42)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(report.mean.ssimY - 0.8104)).toBeLessThanOrEqual(0.0005);
  });

  it('Set14 x4: PSNR-Y 26.00 dB, SSIM-Y 0.7027', async () => {
    const report = await evalJson(['--hr', join(datasetsDir, 'Set14/hr'), '--scale', '4']);
    expect(report.images).toHaveLength(14);
    expect(Math.abs(report.mean.psnrY - 26.0)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(report.mean.ssimY - 0.7027)).toBeLessThanOrEqual(0.0005);
  });
});

describe('enhance eval', () => {
  it('pairs a folder of LR files by name and scores them as if made on the fly', async () => {
    const dir = await temporaryDirectory();
    await mkdir(join(dir, 'hr'));
    await mkdir(join(dir, 'lr'));
    const source = join(datasetsDir, 'Set5/lr_x3_matlab');
    for (const [index, name] of ['baby', 'bird'].entries()) {
      await copyFile(join(source, `img_00${index + 1}_SRF_3_HR.png`), join(dir, 'hr', `${name}.png`));
      await copyFile(join(source, `img_00${index + 1}_SRF_3_LR.png`), join(dir, 'lr', `${name}x3.png`));
    }
    const paired = await evalJson(['--hr', join(dir, 'hr'), '--lr', join(dir, 'lr'), '--scale', '3']);
    const generated = await evalJson(['--hr', join(dir, 'hr'), '--scale', '3']);
    expect(paired.images.map((i) => i.name)).toEqual(['baby', 'bird']);
    expect(paired.mean.psnrY).toBe(generated.mean.psnrY);
  });

  it('prints a table with every image and the mean, and other methods score differently', async () => {
    const result = await runCli(['eval', '--hr', join(datasetsDir, 'Set5/hr'), '--scale', '4', '--method', 'nearest', '--metrics', 'psnr,ssim,hfen']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/image\s+PSNR-Y \(dB\)\s+SSIM-Y\s+HFEN-Y/);
    expect(lines.filter((line) => /^(baby|bird|butterfly|head|woman)\s/.test(line))).toHaveLength(5);
    const mean = Number(lines[lines.length - 1].split(/\s+/)[1]);
    expect(mean).toBeLessThan(28.0); // nearest is worse than bicubic's 28.42
  });

  it('writes a labelled LR | SR | HR grid', async () => {
    const dir = await temporaryDirectory();
    const grid = join(dir, 'grid.png');
    const result = await runCli(['eval', '--hr', join(datasetsDir, 'Set5/hr'), '--scale', '4', '--grid', grid]);
    expect(result.code).toBe(0);
    const meta = await sharp(grid).metadata();
    expect(meta.width).toBeGreaterThanOrEqual(3 * 512); // three panels of the widest image (baby, 512 px)
    expect(meta.height).toBeGreaterThan(512 + 288 + 256 + 256 + 344);
    expect(await readdir(dir)).toEqual(['grid.png']);
  });
});

describe('enhance eval with NIQE', () => {
  const anchor = join(datasetsDir, '../data/niqe_baboon.png');

  it('--images scores a picture with no ground truth: the NIQE anchor gives 5.7296 with the shipped model', async () => {
    const result = await runCli(['eval', '--images', anchor, '--metrics', 'niqe', '--crop', '0', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.mean.niqe).toBeCloseTo(5.7296, 3);
    expect(report.images).toEqual([{ name: 'niqe_baboon.png', niqe: report.mean.niqe }]);
  });

  it('--metrics psnr,niqe puts niqe beside psnrY in the mean and for each image', async () => {
    const result = await runCli(['eval', '--hr', join(datasetsDir, 'Set5/hr'), '--scale', '4', '--metrics', 'psnr,niqe', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report.mean).sort()).toEqual(['niqe', 'psnrY']);
    expect(report.images.every((image: { niqe: number }) => Number.isFinite(image.niqe))).toBe(true);
    expect(report.mean.niqe).toBeGreaterThan(5); // bicubic is blurry: NIQE well above a sharp photo's
  });

  it('--images with a full-reference metric is a one-line error', async () => {
    const result = await runCli(['eval', '--images', anchor, '--metrics', 'psnr']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^enhance: --images scores pictures without ground truth: psnr need --hr/);
  });
});
