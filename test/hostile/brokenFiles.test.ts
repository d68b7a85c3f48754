import { spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli, runCliMeasured, temporaryDirectory } from '../helpers.js';
import { compactMetadata, craftedSafetensors, hugeBlackPng, shippedModelParts } from './craftedFiles.js';
import { expectBounded, expectOneLineRefusal } from './expectations.js';

const picture = join(repoRoot, 'samples/chelsea.png');

async function refusedModel(file: string): Promise<string> {
  const dir = await temporaryDirectory();
  const output = join(dir, 'out.png');
  return expectOneLineRefusal(await runCli(['upscale', picture, '--model', file, '-o', output]), file, output);
}

describe('broken safetensors files get one line naming the file and the tensor, never JavaScript', () => {
  const one = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
  const cases: [string, unknown, string][] = [
    ['entry_null', { a: null }, "the entry of tensor 'a' is not an object"],
    ['shape_not_array', { a: { dtype: 'F32', shape: 'abc', data_offsets: [0, 4] } }, "tensor 'a' has shape \"abc\""],
    ['offsets_not_pair', { a: { dtype: 'F32', shape: [1], data_offsets: 'x' } }, "tensor 'a' (F32 [1]) has a bad byte range"],
    ['offsets_past_end', { a: { dtype: 'F32', shape: [1000000], data_offsets: [0, 4000000] } }, 'bad byte range'],
    ['arch_proto', { __metadata__: { 'enhance.arch': '__proto__', 'enhance.scale': '4' }, ...one }, "names architecture '__proto__'"],
    ['arch_tostring', { __metadata__: { 'enhance.arch': 'toString', 'enhance.scale': '4' }, ...one }, "names architecture 'toString'"],
    ['options_typo', { __metadata__: { ...compactMetadata(), 'enhance.options': '{"featurs": 48}' }, ...one }, "unknown key 'featurs'"],
    ['no_tensors', { __metadata__: compactMetadata() }, "has no tensor 'body.0.weight' (the network needs it)"],
  ];
  for (const [name, header, problem] of cases) {
    it(`${name}: ${problem}`, async () => {
      const file = await craftedSafetensors(await temporaryDirectory(), name, header, new Uint8Array(16));
      expect(await refusedModel(file)).toContain(problem);
    });
  }

  it('a missing tensor is an error naming it, not a partly random network', async () => {
    const { header, data } = await shippedModelParts();
    delete header['body.6.weight'];
    const file = await craftedSafetensors(await temporaryDirectory(), 'missing', header, data);
    expect(await refusedModel(file)).toContain("has no tensor 'body.6.weight'");
  });

  it('an extra tensor is an error naming it', async () => {
    const { header, data } = await shippedModelParts();
    header['body.99.weight'] = header['body.0.bias'];
    const file = await craftedSafetensors(await temporaryDirectory(), 'extra', header, data);
    expect(await refusedModel(file)).toContain("'body.99.weight' has no place in the network");
  });

  it('a tensor of the wrong shape names the shapes', async () => {
    const { header, data } = await shippedModelParts();
    header['body.0.weight'] = { ...header['body.0.weight'], shape: [1296] };
    const file = await craftedSafetensors(await temporaryDirectory(), 'shape', header, data);
    expect(await refusedModel(file)).toContain("'body.0.weight' does not fit: the stored tensor is [1296], the network needs [48, 3, 3, 3]");
  });
});

describe('pictures too large, unreadable or animated', () => {
  it("a 1.2 MB PNG of 100000x100000 pixels is refused from its header, as sharp's pixel limit", async () => {
    const dir = await temporaryDirectory();
    const bomb = await hugeBlackPng(dir, 'bomb.png', 100000, 100000, 1);
    const output = join(dir, 'out.png');
    const result = await runCliMeasured(['upscale', bomb, '-o', output]);
    expect(expectOneLineRefusal(result, bomb, output)).toContain('100000x100000 pixels');
    expectBounded(result, 10);
  });

  it('a 16000x16000 picture is refused before work when the result would exceed what enhance makes, or classical resizing cannot hold it', async () => {
    const dir = await temporaryDirectory();
    const big = await hugeBlackPng(dir, 'big.png', 16000, 16000, 8);
    const output = join(dir, 'out.png');
    const byModel = await runCliMeasured(['upscale', big, '-o', output]);
    expect(expectOneLineRefusal(byModel, big, output)).toContain('would become 64000x64000');
    expectBounded(byModel, 10);
    const byMethod = await runCliMeasured(['upscale', big, '--method', 'nearest', '--scale', '2', '-o', output]);
    expect(expectOneLineRefusal(byMethod, big, output)).toContain('WebAssembly memory');
    expectBounded(byMethod, 10);
  });

  it('a result too wide for WebP is refused before the work, naming the limit', async () => {
    const dir = await temporaryDirectory();
    const wide = join(dir, 'wide.png');
    await sharp({ create: { width: 4100, height: 8, channels: 3, background: '#808080' } }).png().toFile(wide);
    const output = join(dir, 'wide.webp');
    const result = await runCliMeasured(['upscale', wide, '--method', 'nearest', '--scale', '4', '-o', output]);
    expect(expectOneLineRefusal(result, wide, output)).toContain('does not fit webp (at most 16383 pixels a side)');
  });

  // As root every file is readable, so the CLI runs as 'nobody' there: possible only where 'nobody' can
  // read the repository (a clone under a private home folder cannot be).
  const asRoot = process.getuid?.() === 0;
  const nobodyCanRun = !asRoot || spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', join(repoRoot, 'dist/cli/main.js')]).status === 0;
  it.skipIf(!nobodyCanRun)('an unreadable picture says permission denied, not "not an image"', async () => {
    const dir = await temporaryDirectory();
    const locked = join(dir, 'locked.png');
    await writeFile(locked, await sharp(picture).png().toBuffer());
    await chmod(locked, 0o000);
    await chmod(dir, 0o755);
    // root reads anything: run as 'nobody' there, as a user would be.
    const asUser = process.getuid?.() === 0 ? { command: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] } : {};
    const result = await runCli(['upscale', locked, '--method', 'bicubic', '-o', join(dir, 'out.png')], { ...asUser, env: { ...process.env, HOME: dir } });
    expect(expectOneLineRefusal(result, locked)).toContain('permission denied');
  });

  it('an animated GIF written as jpg is its first frame, with one line saying so', async () => {
    const dir = await temporaryDirectory();
    const frames = [0, 120, 240].map((v) => sharp({ create: { width: 16, height: 12, channels: 3, background: { r: v, g: 60, b: 200 - v / 2 } } }).png().toBuffer());
    const gif = join(dir, 'anim.gif');
    await sharp(await Promise.all(frames), { join: { animated: true } }).gif({ delay: 100, loop: 0 }).toFile(gif);
    expect((await sharp(gif).metadata()).pages).toBe(3);
    const output = join(dir, 'anim_x2.jpg');
    const result = await runCli(['upscale', gif, '--method', 'bicubic', '--scale', '2', '-o', output]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`enhance: ${gif}: has 3 frames; only the first is upscaled\n`);
    expect((await sharp(output).metadata()).width).toBe(32);
  });
});

describe('the output is named by the scale the model has', () => {
  it("'--model compact-x2' without -o writes <name>_x2.png", async () => {
    const dir = await temporaryDirectory();
    const input = join(dir, 'cat.png');
    await sharp(picture).resize(24, 20).png().toFile(input);
    const result = await runCli(['upscale', input, '--model', 'compact-x2']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((await sharp(join(dir, 'cat_x2.png')).metadata()).width).toBe(48);
  });
});
