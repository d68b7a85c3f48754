import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsDir, runCli, temporaryDirectory } from '../helpers.js';
import { tinyRunConfig } from './tinyRunConfig.js';

const CONFIG = tinyRunConfig('bad-config');

/** A config file in a fresh folder, and where its run would go (one level deeper: `runs/` is made by the run too). */
async function setUp(): Promise<{ dir: string; config: string; out: string }> {
  const dir = await temporaryDirectory();
  const config = join(dir, 'train.yaml');
  await writeFile(config, CONFIG);
  return { dir, config, out: join(dir, 'runs', 'run') };
}

/** Exit code 2, exactly one line on stderr (no stack), which is returned. */
async function expectOneLineFailure(args: string[]): Promise<string> {
  const result = await runCli(args);
  expect(result.stderr).not.toMatch(/internal error|\bat .*:\d+:\d+/);
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^enhance: /);
  return lines[0];
}

const train = (config: string, out: string, ...set: string[]) => ['train', '--config', config, '--out', out, ...(set.length > 0 ? ['--set', ...set] : [])];

describe('a training config the network cannot take is refused in one line, and no run folder is made', () => {
  it('a value the architecture does not allow names model.options.<key>', async () => {
    const { dir, config, out } = await setUp();
    const line = await expectOneLineFailure(train(config, out, 'model.options.features=8.5'));
    expect(line).toContain(config);
    expect(line).toContain("'model.options.features'");
    expect(line).toContain('8.5');
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 30_000);

  it('a typo in model.options names the unknown key', async () => {
    const { dir, config, out } = await setUp();
    const line = await expectOneLineFailure(train(config, out, 'model.options.featurs=16'));
    expect(line).toContain("unknown key 'model.options.featurs'");
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 30_000);

  it('an absurdly large network is refused before anything is allocated', async () => {
    const { dir, config, out } = await setUp();
    const started = Date.now();
    const line = await expectOneLineFailure(train(config, out, 'model.options.features=100000'));
    expect(line).toContain("'model.options'");
    expect(line).toMatch(/parameters/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 30_000);

  it('a scale the architecture cannot make names scale', async () => {
    const { dir, config, out } = await setUp();
    const line = await expectOneLineFailure(train(config, out, 'model.arch=srresnet', 'model.options={features: 8, blocks: 1}', 'scale=3'));
    expect(line).toContain("'scale' 3");
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 30_000);

  it('a patch size the architecture cannot take names data.lr_patch', async () => {
    const { dir, config, out } = await setUp();
    const line = await expectOneLineFailure(train(config, out, 'model.arch=unet', 'model.options={features: 4, depth: 3}', 'data.lr_patch=9'));
    expect(line).toContain("'data.lr_patch' 9");
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 30_000);
});

describe('training data and divergence', () => {
  it('a patch larger than every picture names data.lr_patch and the folder', async () => {
    const { dir, config, out } = await setUp();
    const line = await expectOneLineFailure(train(config, out, 'data.lr_patch=1000'));
    expect(line).toContain("'data.lr_patch' 1000");
    expect(line).toContain(join(datasetsDir, 'Set5/hr'));
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 30_000);

  it('a missing training folder leaves no run folder (not even samples/)', async () => {
    const { dir, config, out } = await setUp();
    const line = await expectOneLineFailure(train(config, out, `data.train=[${join(dir, 'nonexistent')}]`));
    expect(line).toContain(join(dir, 'nonexistent'));
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 30_000);

  it('a diverging loss says at which step and suggests a lower optimizer.lr; the failed run is removed', async () => {
    const { dir, config, out } = await setUp();
    const line = await expectOneLineFailure(train(config, out, 'optimizer.lr=1e12'));
    expect(line).toMatch(/diverged at step \d+/);
    expect(line).toContain("lower 'optimizer.lr'");
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 60_000);

  it('a failed run in a folder that existed keeps the folder and what it held, and removes what the run wrote', async () => {
    const { config, out } = await setUp();
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'notes.txt'), 'mine');
    await expectOneLineFailure(train(config, out, 'optimizer.lr=1e12'));
    expect(existsSync(out)).toBe(true);
    expect(await readdir(out)).toEqual(['notes.txt']);
  }, 60_000);

  it('a real-world run refused while it is prepared (a missing validation LR folder) ends at once, leaving no thread behind', async () => {
    const { dir, config, out } = await setUp();
    const missing = join(dir, 'no-such-lr');
    const started = Date.now();
    const line = await expectOneLineFailure(train(config, out, 'degradation={}', `data.val=${join(datasetsDir, 'Set5/hr')}`, `data.val_lr=${missing}`));
    expect(line).toContain(missing);
    // The process exits by itself: the degradation worker is started by the first batch, never here.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await readdir(dir)).toEqual(['train.yaml']);
  }, 60_000);
});
