import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsDir, repoRoot, runCli, temporaryDirectory } from '../helpers.js';

/** Sizes that make any preset a few-second run: tiny patches and batches, small variants of the big networks. */
const TEST_SIZE: Record<string, string[]> = {
  srcnn: [],
  autoencoder: [],
  unet: [],
  srresnet: ['model.options.blocks=2', 'model.options.features=16'],
  'rrdb-psnr': ['model.options.blocks=1', 'model.options.features=16', 'model.options.growth=8'],
  'compact-x4': ['model.options.features=16', 'model.options.convs=3'],
  'compact-x2': ['model.options.features=16', 'model.options.convs=3'],
  // Later stages start from an earlier stage's model, which a test run does not have.
  'compact-x4-stage2': ['init_from=null', 'model.options.features=16', 'model.options.convs=3'],
  'compact-x4-stage3': ['init_from=null', 'model.options.features=16', 'model.options.convs=3'],
  'compact-x4-stage4': ['init_from=null', 'model.options.features=16', 'model.options.convs=3'],
  'compact-x2-stage2': ['init_from=null', 'model.options.features=16', 'model.options.convs=3'],
  // The photo presets degrade every batch (real-world degradations) and validate on a degraded set the test does not build.
  'photo-x4-fidelity': ['init_from=null', 'data.val_lr=null', 'model.options.features=16', 'model.options.convs=3'],
  'photo-x2-fidelity': ['init_from=null', 'data.val_lr=null', 'model.options.features=16', 'model.options.convs=3'],
  'photo-x4-stage2': ['init_from=null', 'data.val_lr=null', 'model.options.features=16', 'model.options.convs=3'],
};

/** Presets that train on real-world degradations (`degradation:`). */
const REAL_WORLD = ['photo-x4-fidelity', 'photo-x2-fidelity', 'photo-x4-stage2'];

/** Adversarial and perceptual presets have their own test (test/train/ganPresets.test.ts). */
export const GAN_AND_PERCEPTUAL_PRESETS = ['esrgan', 'srgan', 'wgan-gp', 'unet-perceptual', 'unet-gan', 'compact-x4-gan', 'photo-x4-gan'];

const allPresets = readdirSync(join(repoRoot, 'presets')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace('.yaml', ''));
const presets = allPresets.filter((p) => !GAN_AND_PERCEPTUAL_PRESETS.includes(p));

interface LogLine {
  step: number;
  loss?: number;
  val?: { psnrY: number };
}

describe('every preset trains from the CLI and its loss falls', () => {
  it('covers every preset file', () => expect(allPresets.sort()).toEqual([...Object.keys(TEST_SIZE), ...GAN_AND_PERCEPTUAL_PRESETS].sort()));

  for (const preset of presets) {
    it(preset, async () => {
      const out = await temporaryDirectory();
      const result = await runCli([
        'train', '--config', join(repoRoot, 'presets', `${preset}.yaml`), '--out', out,
        '--set', 'steps=200', 'data.lr_patch=8', 'data.batch=4', 'data.patches_per_image=40', 'log_every=20', 'val_every=200',
        'checkpoint_every=100', `data.train=[${join(datasetsDir, 'Set14/hr')}]`, `data.val=${join(datasetsDir, 'Set5/hr')}`,
        ...(TEST_SIZE[preset] ?? []), ...(REAL_WORLD.includes(preset) ? ['val_every=100'] : []),
      ]);
      expect(result.stderr.split('\n').filter((l) => l.startsWith('enhance:'))).toEqual([]);
      expect(result.code).toBe(0);
      const log = (await readFile(join(out, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as LogLine);
      const losses = log.filter((l) => l.loss !== undefined).map((l) => l.loss!);
      expect(losses).toHaveLength(10);
      const validations = log.filter((l) => l.val).map((l) => l.val!.psnrY);
      if (REAL_WORLD.includes(preset)) {
        // Each batch is degraded at random, so the training loss is as noisy as the degradations;
        // the fixed validation set shows the learning instead.
        expect(validations).toHaveLength(2);
        expect(validations[1], `validation ${validations[0]} -> ${validations[1]} dB`).toBeGreaterThan(validations[0]);
      } else {
        const first = (losses[0] + losses[1]) / 2;
        const last = (losses[8] + losses[9]) / 2;
        expect(last, `loss ${first} -> ${last}`).toBeLessThan(first);
      }
      expect(validations.every(Number.isFinite) && validations.length > 0).toBe(true);
      for (const file of ['model.safetensors', 'checkpoint.safetensors', 'plot.png', 'config.json', 'samples/step_0000200.png']) {
        expect(existsSync(join(out, file)), file).toBe(true);
      }
    }, 300_000);
  }
});
