import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/models/modelFile.js';
import { datasetsDir, repoRoot, runCli, temporaryDirectory } from '../helpers.js';

// Narrow VGG files (every width / 32) written by test/fixtures/vgg/make_vgg_fixtures.py: the real loaders read them.
const vgg19 = join(repoRoot, 'test/fixtures/vgg/vgg19-narrow.pth');
const vgg16 = join(repoRoot, 'test/fixtures/vgg/vgg16-narrow.pth');
const narrow = (term: number, file: string) => [`loss.${term}.weights=${file}`, `loss.${term}.width_divisor=32`];
const smallVggCritic = ['gan.discriminator.options.inputSize=32', 'gan.discriminator.options.features=8'];

/** Sizes that make each preset a few-second run; the generator starts from scratch (no PSNR checkpoint here). */
const TEST_SIZE: Record<string, string[]> = {
  esrgan: ['init_from=null', 'model.options.blocks=1', 'model.options.features=16', 'model.options.growth=8', ...narrow(1, vgg19), ...smallVggCritic],
  srgan: ['init_from=null', 'model.options.blocks=2', 'model.options.features=16', ...narrow(0, vgg19), ...smallVggCritic, 'gan.discriminator.options.denseFeatures=16'],
  'wgan-gp': ['init_from=null', 'model.options.blocks=2', 'model.options.features=16', ...narrow(1, vgg19), ...smallVggCritic, 'gan.critic_steps=2'],
  'unet-perceptual': ['model.options.features=8', ...narrow(0, vgg16)],
  'unet-gan': ['init_from=null', 'model.options.features=8', ...narrow(0, vgg16), 'gan.discriminator.options.features=8', 'gan.pretrain_steps=4'],
  'compact-x4-gan': ['init_from=null', 'model.options.features=16', 'model.options.convs=3', ...narrow(1, vgg19), ...smallVggCritic],
  'photo-x4-gan': ['init_from=null', 'data.val_lr=null', 'model.options.features=16', 'model.options.convs=3', ...narrow(1, vgg19), 'gan.discriminator.options.features=8'],
};

/** The terms each kind of run must log, besides the total loss. */
const EXPECTED_TERMS: Record<string, string[]> = {
  esrgan: ['g_l1', 'g_perceptual', 'g_adversarial', 'd_loss', 'd_real', 'd_fake'],
  srgan: ['g_perceptual', 'g_adversarial', 'd_loss', 'd_real', 'd_fake'],
  'wgan-gp': ['g_mse', 'g_perceptual', 'g_adversarial', 'd_loss', 'd_real', 'd_fake', 'd_gradient_penalty', 'd_wasserstein'],
  'unet-perceptual': [],
  'unet-gan': ['g_perceptual', 'g_l1', 'g_adversarial', 'd_loss', 'd_real', 'd_fake'],
  'compact-x4-gan': ['g_l1', 'g_perceptual', 'g_adversarial', 'd_loss', 'd_real', 'd_fake'],
  'photo-x4-gan': ['g_l1', 'g_perceptual', 'g_adversarial', 'd_loss', 'd_real', 'd_fake'],
};

interface LogLine {
  step: number;
  loss?: number;
  terms?: Record<string, number>;
  val?: { psnrY: number };
}

function train(preset: string, out: string, extra: string[] = []) {
  return runCli([
    'train', '--config', join(repoRoot, 'presets', `${preset}.yaml`), '--out', out,
    '--set', 'steps=12', 'data.lr_patch=8', 'data.batch=2', 'data.patches_per_image=4', 'log_every=4', 'val_every=12', 'checkpoint_every=4',
    `data.train=[${join(datasetsDir, 'Set14/hr')}]`, `data.val=${join(datasetsDir, 'Set5/hr')}`, 'threads=1',
    ...TEST_SIZE[preset], ...extra,
  ]);
}

describe('adversarial and perceptual presets train from the CLI', () => {
  for (const preset of Object.keys(TEST_SIZE)) {
    it(`${preset}: trains, logs every loss term, writes a model and a plot`, async () => {
      const out = await temporaryDirectory();
      const result = await train(preset, out);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('enhance:'))).toEqual([]);
      expect(result.code).toBe(0);
      const log = (await readFile(join(out, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as LogLine);
      const steps = log.filter((l) => l.loss !== undefined);
      expect(steps.map((l) => l.step)).toEqual([4, 8, 12]);
      for (const line of steps) {
        expect(Number.isFinite(line.loss)).toBe(true);
        expect(Object.keys(line.terms ?? {}).sort()).toEqual([...EXPECTED_TERMS[preset]].sort());
        for (const value of Object.values(line.terms ?? {})) expect(Number.isFinite(value)).toBe(true);
      }
      for (const file of ['model.safetensors', 'checkpoint.safetensors', 'plot.png']) expect(existsSync(join(out, file)), file).toBe(true);
    }, 300_000);
  }

  it('a GAN run (WGAN-GP: two networks, random interpolates) interrupted and resumed ends where an uninterrupted one does', async () => {
    const straight = await temporaryDirectory();
    expect((await train('wgan-gp', straight)).code).toBe(0);
    const resumed = await temporaryDirectory();
    expect((await train('wgan-gp', resumed, ['steps=8'])).code).toBe(0);
    // Continue the same run to 12 steps from its step-8 checkpoint.
    const second = await runCli([
      'train', '--config', join(repoRoot, 'presets', 'wgan-gp.yaml'), '--out', resumed, '--resume',
      '--set', 'steps=12', 'data.lr_patch=8', 'data.batch=2', 'data.patches_per_image=4', 'log_every=4', 'val_every=12', 'checkpoint_every=4',
      `data.train=[${join(datasetsDir, 'Set14/hr')}]`, `data.val=${join(datasetsDir, 'Set5/hr')}`, 'threads=1', ...TEST_SIZE['wgan-gp'],
    ]);
    expect(second.code).toBe(0);
    const a = await loadModel(join(straight, 'model.safetensors'));
    const b = await loadModel(join(resumed, 'model.safetensors'));
    for (const [name, tensor] of a.state) expect(Array.from(b.state.get(name)!.data as Float32Array), name).toEqual(Array.from(tensor.data as Float32Array));
  }, 300_000);
});
