import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../../src/checkpoint/safetensors.js';
import { readPytorchStateDict } from '../../src/weights/pytorchFile.js';
import { describeCard, modelCard } from '../../src/models/modelCard.js';
import { writeImage } from '../../src/image/writeImage.js';
import { randomImage, repoRoot, runCli, temporaryDirectory } from '../helpers.js';
import { copyFile } from 'node:fs/promises';

const span = join(repoRoot, 'test/fixtures/architectures/span-x4.pth');

describe('a model card: what a model file is, and its licence when something says it', () => {
  it('from the weights alone: architecture, scale, options, parameters; no licence claimed', async () => {
    const card = await modelCard(span);
    expect(card).toMatchObject({ kind: 'network', arch: 'span', scale: 4, options: { features: 8 }, architecture: 'SPAN, 8 features, x4' });
    expect(card.parameters).toBeGreaterThan(1000);
    expect(card.licence).toBeUndefined();
    expect(describeCard(card)).toContain('licence not stated');
  });

  it('from an OpenModelDB entry beside the file (name, authors, licence), its unknown fields ignored', async () => {
    const dir = await temporaryDirectory();
    const file = join(dir, '4x-Thing.pth');
    await copyFile(span, file);
    await writeFile(join(dir, '4x-Thing.json'), JSON.stringify({ name: '4x Thing', author: ['ann', 'bo'], license: 'CC-BY-NC-SA-4.0', architecture: 'span', resources: [] }));
    const card = await modelCard(file);
    expect(card).toMatchObject({ name: '4x Thing', author: 'ann, bo', licence: 'CC-BY-NC-SA-4.0', source: 'OpenModelDB metadata 4x-Thing.json' });
    expect(describeCard(card)).toBe(`4x Thing: SPAN, 8 features, x4, ${card.parameters!.toLocaleString('en')} parameters, by ann, bo, licence CC-BY-NC-SA-4.0 (OpenModelDB metadata 4x-Thing.json)`);
  });

  it('from a safetensors file\'s metadata, or from the licence in its name', async () => {
    const dir = await temporaryDirectory();
    const state = await readPytorchStateDict(span);
    const file = join(dir, 'span.safetensors');
    await writeSafetensors(file, state, { license: 'Apache-2.0', author: 'someone' });
    expect(await modelCard(file)).toMatchObject({ licence: 'Apache-2.0', author: 'someone', source: 'safetensors metadata' });
    const named = join(dir, '4x-Span-CC-BY-NC-4.0.pth');
    await copyFile(span, named);
    expect(await modelCard(named)).toMatchObject({ licence: 'CC-BY-NC-4.0', source: 'file name' });
    const notALicence = join(dir, '4x-SUBMITTED.pth'); // 'MIT' inside a word is not a licence
    await copyFile(span, notALicence);
    expect((await modelCard(notALicence)).licence).toBeUndefined();
  });

  it('a metadata JSON that leads outside the folder, is too large or is not JSON is not read', async () => {
    const dir = await temporaryDirectory();
    const outside = await temporaryDirectory();
    const file = join(dir, 'm.pth');
    await copyFile(span, file);
    await writeFile(join(outside, 'secret.json'), JSON.stringify({ license: 'MIT' }));
    await symlink(join(outside, 'secret.json'), join(dir, 'm.json'));
    expect((await modelCard(file)).licence).toBeUndefined();
    await writeFile(join(dir, 'm.pth.json'), `{"license": "MIT", "pad": "${'x'.repeat(300_000)}"}`);
    expect((await modelCard(file)).licence).toBeUndefined();
  });

  it('enhance models inspect prints it; enhance upscale introduces a downloaded model in one line', async () => {
    const dir = await temporaryDirectory();
    const file = join(dir, '4x-Span-MIT.pth');
    await copyFile(span, file);
    const inspect = await runCli(['models', 'inspect', file]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/^architecture: +SPAN, 8 features, x4$/m);
    expect(inspect.stdout).toMatch(/^licence: +MIT \(from file name\)$/m);
    const json = JSON.parse((await runCli(['models', 'inspect', file, '--json'])).stdout);
    expect(json).toMatchObject({ arch: 'span', scale: 4, licence: 'MIT' });
    await writeImage(join(dir, 'in.png'), randomImage(3, 6, 5));
    const upscaled = await runCli(['upscale', join(dir, 'in.png'), '--model', file]);
    expect(upscaled.code).toBe(0);
    expect(upscaled.stderr.trim()).toBe(`enhance: ${file}: SPAN, 8 features, x4, ${json.parameters.toLocaleString('en')} parameters, licence MIT (file name)`);
    const missing = await runCli(['models', 'inspect', join(dir, 'nope.pth')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
