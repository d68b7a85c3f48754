import { execFileSync } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnhanceError } from '../../src/errors.js';
import { KNOWN_WEIGHTS, listWeights, loadWeights, registerWeights, resolveWeights, weightsRegistryPath } from '../../src/weights/weightsRegistry.js';
import { repoRoot, temporaryDirectory } from '../helpers.js';

const fixtures = join(repoRoot, 'test/fixtures/vgg');
const narrow = { widthDivisor: 32 }; // the fixtures are VGGs with every width / 32

/** A fresh registry home and a copy of the narrow VGG19 file in it. */
async function setup(): Promise<{ home: string; file: string }> {
  const home = await temporaryDirectory();
  const file = join(home, 'vgg19-narrow.pth');
  await copyFile(join(fixtures, 'vgg19-narrow.pth'), file);
  return { home, file };
}

async function errorOf(action: Promise<unknown>): Promise<string> {
  const error = await action.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EnhanceError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

describe('the weights registry', () => {
  it('records the absolute path, format and SHA-256 of a checked file, in weights.json under the home folder', async () => {
    const { home, file } = await setup();
    const entry = await registerWeights('vgg19', file, { home, ...narrow });
    const sha256 = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
    expect(entry).toEqual({ name: 'vgg19', path: file, sha256, format: 'pytorch' });
    expect(JSON.parse(await readFile(join(home, 'weights.json'), 'utf8'))).toEqual({ weights: { vgg19: entry } });
    expect(await resolveWeights('vgg19', { home })).toEqual({ path: file, sha256, format: 'pytorch' });
  });

  it('keeps the other entries when one is added or replaced', async () => {
    const { home, file } = await setup();
    await registerWeights('vgg19', file, { home, ...narrow });
    await registerWeights('vgg16', join(fixtures, 'vgg16-narrow.pth'), { home, ...narrow });
    await registerWeights('vgg19', 'random:7', { home });
    expect((await listWeights({ home })).map((entry) => [entry.name, entry.format])).toEqual([
      ['vgg16', 'pytorch'],
      ['vgg19', 'random'],
    ]);
  });

  it('lives in $ENHANCE_HOME, else ~/.enhance', () => {
    const saved = process.env.ENHANCE_HOME;
    try {
      process.env.ENHANCE_HOME = '/some/where';
      expect(weightsRegistryPath()).toBe('/some/where/weights.json');
      delete process.env.ENHANCE_HOME;
      expect(weightsRegistryPath()).toMatch(/\/\.enhance\/weights\.json$/);
    } finally {
      if (saved === undefined) delete process.env.ENHANCE_HOME;
      else process.env.ENHANCE_HOME = saved;
    }
  });

  it('loads registered weights', async () => {
    const { home, file } = await setup();
    await registerWeights('vgg19', file, { home, ...narrow });
    const state = await loadWeights('vgg19', { home, ...narrow });
    expect(state.get('features.34.weight')!.shape).toEqual([16, 16, 3, 3]);
  });

  it('gives seeded random weights of the real shapes for random:<seed>, with no checksum', async () => {
    const { home } = await setup();
    expect(await registerWeights('vgg16', 'random:3', { home })).toEqual({ name: 'vgg16', path: 'random:3', sha256: '', format: 'random' });
    const a = await loadWeights('vgg16', { home });
    expect(a.get('features.28.weight')!.shape).toEqual([512, 512, 3, 3]);
    expect((await loadWeights('vgg16', { home })).get('features.0.weight')!.data).toEqual(a.get('features.0.weight')!.data);
  });
});

describe('weights registry errors say what to do', () => {
  it('unregistered weights: which file to get, from where, and the command to run', async () => {
    const { home } = await setup();
    expect(await errorOf(resolveWeights('vgg19', { home }))).toBe(
      "no vgg19 weights are registered: get vgg19-dcbb9e9d.pth from https://download.pytorch.org/models/vgg19-dcbb9e9d.pth (or the ONNX model zoo's vgg19-7.onnx, or a .safetensors with torchvision's features.N.weight/bias names) and run: enhance weights add vgg19 <file>",
    );
  });

  it('a registered file whose content changed', async () => {
    const { home, file } = await setup();
    await registerWeights('vgg19', file, { home, ...narrow });
    const bytes = await readFile(file);
    bytes[bytes.length - 100] ^= 1;
    await writeFile(file, bytes);
    expect(await errorOf(resolveWeights('vgg19', { home }))).toMatch(
      new RegExp(`^${file}: has changed since it was registered as vgg19 \\(SHA-256 [0-9a-f]{12}\\.\\.\\., now [0-9a-f]{12}\\.\\.\\.\\); if the new file is right, run: enhance weights add vgg19 ${file}$`),
    );
  });

  it('a registered file that is gone', async () => {
    const { home, file } = await setup();
    await registerWeights('vgg19', file, { home, ...narrow });
    await writeFile(join(home, 'weights.json'), (await readFile(join(home, 'weights.json'), 'utf8')).replace(file, `${file}.moved`));
    expect(await errorOf(resolveWeights('vgg19', { home }))).toBe(`${file}.moved: the registered vgg19 weights are gone; register them again with: enhance weights add vgg19 <file>`);
  });

  it('an unknown name lists the known ones', async () => {
    expect(await errorOf(registerWeights('vgg11', 'random:0'))).toBe(`unknown weights 'vgg11'; known weights are ${Object.keys(KNOWN_WEIGHTS).join(', ')}`);
  });

  it('wrong shapes name the layer and what was found, and nothing is registered', async () => {
    const { home, file } = await setup();
    expect(await errorOf(registerWeights('vgg19', file, { home }))).toBe(`${file}: features.0.weight (conv1_1 weight) is [2, 3, 3, 3], vgg19 needs [64, 3, 3, 3]`);
    expect(await errorOf(registerWeights('vgg16', file, { home, ...narrow }))).toBe(`${file}: has no features.17.weight (conv4_1 weight); vgg16 needs [16, 8, 3, 3]`); // a pool in VGG19
    expect(await listWeights({ home })).toEqual([]);
  });

  it('a missing file, a folder, and a file that is not weights', async () => {
    const { home } = await setup();
    expect(await errorOf(registerWeights('vgg19', join(home, 'nope.pth'), { home }))).toBe(`${join(home, 'nope.pth')}: no such file`);
    expect(await errorOf(registerWeights('vgg19', home, { home }))).toBe(`${home}: is a folder, not a weights file`);
    await writeFile(join(home, 'notes.pth'), 'hello');
    expect(await errorOf(registerWeights('vgg19', join(home, 'notes.pth'), { home }))).toBe(
      `${join(home, 'notes.pth')}: is not a weights file (expected a PyTorch .pth, a .safetensors or an .onnx model)`,
    );
  });

  it('a corrupt registry file', async () => {
    const { home } = await setup();
    await writeFile(join(home, 'weights.json'), '{ not json');
    expect(await errorOf(listWeights({ home }))).toMatch(new RegExp(`^${join(home, 'weights.json')}: is not a valid weights registry \\(.*\\); fix or delete it$`));
  });
});
