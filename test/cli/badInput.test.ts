import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeImage } from '../../src/image/writeImage.js';
import { randomImage, repoRoot, runCli, temporaryDirectory } from '../helpers.js';

/** A bad input must give exactly one line on stderr that names the file, exit code 2, and no output file. */
async function expectCleanFailure(args: string[], dir: string, mentions: string, before: string[]) {
  const result = await runCli(args);
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^enhance: /);
  expect(lines[0]).toContain(mentions);
  expect(result.stderr).not.toMatch(/\bat .*:\d+:\d+/); // no stack trace
  expect((await readdir(dir)).sort()).toEqual(before.sort());
  return lines[0];
}

describe('bad input', () => {
  it('a missing file', async () => {
    const dir = await temporaryDirectory();
    const line = await expectCleanFailure(['upscale', join(dir, 'nope.png'), '-o', join(dir, 'out.png')], dir, join(dir, 'nope.png'), []);
    expect(line).toContain('no such file');
  });

  it('a file that is not an image', async () => {
    const dir = await temporaryDirectory();
    await writeFile(join(dir, 'notes.png'), 'these are notes, not pixels');
    const line = await expectCleanFailure(['upscale', join(dir, 'notes.png'), '-o', join(dir, 'out.png')], dir, join(dir, 'notes.png'), ['notes.png']);
    expect(line).toContain('not an image');
  });

  it('a truncated PNG', async () => {
    const dir = await temporaryDirectory();
    const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#336699' } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    await writeFile(join(dir, 'cut.png'), png.subarray(0, Math.floor(png.length * 0.6)));
    const line = await expectCleanFailure(['upscale', join(dir, 'cut.png'), '-o', join(dir, 'out.png')], dir, join(dir, 'cut.png'), ['cut.png']);
    expect(line).toContain('truncated or corrupt');
  });

  it('an unsupported scale', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 4));
    const line = await expectCleanFailure(['upscale', join(dir, 'in.png'), '-o', join(dir, 'out.png'), '--scale', '20'], dir, '--scale', ['in.png']);
    expect(line).toContain('must be a number from 1 to 16');
    expect(line).toContain("'20'");
  });

  it('an output path that would overwrite the input', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 4));
    const line = await expectCleanFailure(['upscale', join(dir, 'in.png'), '-o', join(dir, 'in.png')], dir, join(dir, 'in.png'), ['in.png']);
    expect(line).toContain('overwrite an input');
  });

  it('an output folder that would overwrite the inputs', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'a.png'), randomImage(3, 4, 4));
    await writeImage(join(dir, 'b.png'), randomImage(3, 4, 4));
    await expectCleanFailure(['downscale', join(dir, 'a.png'), join(dir, 'b.png'), '-o', dir, '--scale', '2'], dir, join(dir, 'a.png'), ['a.png', 'b.png']);
  });

  it('an eval folder that does not exist', async () => {
    const dir = await temporaryDirectory();
    await expectCleanFailure(['eval', '--hr', join(dir, 'missing'), '--scale', '4'], dir, join(dir, 'missing'), []);
  });

  it('a model file enhance cannot read', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 4));
    await writeFile(join(dir, 'weights.bin'), Buffer.from('0123456789abcdef'));
    const line = await expectCleanFailure(['upscale', join(dir, 'in.png'), '--model', join(dir, 'weights.bin'), '-o', join(dir, 'out.png')], dir, join(dir, 'weights.bin'), ['in.png', 'weights.bin']);
    expect(line).toContain('is not a model file enhance can read');
  });

  it('a size and a scale together', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 4));
    const line = await expectCleanFailure(['upscale', join(dir, 'in.png'), '--scale', '2', '--width', '10', '-o', join(dir, 'out.png')], dir, '--width', ['in.png']);
    expect(line).toContain('cannot be used with option');
  });

  it('an output folder that cannot be written', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 4));
    await writeFile(join(dir, 'blocker'), 'a file where a folder should be');
    const line = await expectCleanFailure(['upscale', join(dir, 'in.png'), '--method', 'bicubic', '-o', join(dir, 'blocker/out.png')], dir, join(dir, 'blocker/out.png'), ['in.png', 'blocker']);
    expect(line).toContain('cannot write');
  });

  it('a full disk: one line, and no partial file on the full disk', async () => {
    // A 64 KB tmpfs in a private mount namespace (unshare), too small for the 1024x1024 PNG.
    const dir = await temporaryDirectory();
    const small = join(dir, 'small');
    await mkdir(small);
    await writeImage(join(dir, 'in.png'), randomImage(3, 256, 256, 5));
    const script = `mount -t tmpfs -o size=64k tmpfs '${small}' && node '${join(repoRoot, 'bin/enhance.js')}' upscale '${join(dir, 'in.png')}' --method nearest -o '${small}/out.png'; code=$?; ls -A '${small}'; exit $code`;
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([`enhance: ${small}/out.png: cannot write: the disk is full (nothing was written)`]);
    expect(result.stdout.trim()).toBe(''); // the tmpfs holds no temporary or partial file
  });
});
