import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/models/modelFile.js';
import { parseTrainConfig } from '../../src/train/trainConfig.js';
import { runTraining } from '../../src/train/trainRun.js';
import { datasetsDir, repoRoot, runCli, temporaryDirectory } from '../helpers.js';

const CONFIG = `
name: resume-test
scale: 2
seed: 7
model: { arch: srvgg-compact, options: { features: 8, convs: 2 } }
data: { train: [${join(datasetsDir, 'Set14/hr')}], lr_patch: 12, batch: 3, patches_per_image: 3 }
optimizer: { type: adam, lr: 1.0e-3 }
schedule: { type: cosine, min_lr: 1.0e-5 }
steps: 40
ema: 0.9
checkpoint_every: 1000
log_every: 10
threads: 1
`;

describe('training resumes exactly', () => {
  it('a run stopped mid-way and resumed ends with the same weights as an uninterrupted run', async () => {
    const config = parseTrainConfig(CONFIG, join(repoRoot, 'resume.yaml'));
    const straight = await temporaryDirectory();
    await runTraining(config, { outDir: straight, resume: false });

    const interrupted = await temporaryDirectory();
    const controller = new AbortController();
    const first = await runTraining(config, { outDir: interrupted, resume: false, signal: controller.signal, onEvent: (event) => event.kind === 'step' && event.step === 17 && controller.abort() });
    expect(first).toMatchObject({ steps: 17, interrupted: true });
    const second = await runTraining(config, { outDir: interrupted, resume: true });
    expect(second).toMatchObject({ steps: 40, interrupted: false });

    const a = await loadModel(join(straight, 'model.safetensors'));
    const b = await loadModel(join(interrupted, 'model.safetensors'));
    expect([...b.state.keys()]).toEqual([...a.state.keys()]);
    for (const [name, tensor] of a.state) expect(Array.from(b.state.get(name)!.data as Float32Array), name).toEqual(Array.from(tensor.data as Float32Array));
  }, 120_000);

  it('Ctrl-C during `enhance train` writes a checkpoint and says how to resume', async () => {
    const out = await temporaryDirectory();
    const args = [join(repoRoot, 'bin/enhance.js'), 'train', '--config', join(repoRoot, 'presets/compact-x2.yaml'), '--out', out,
      '--set', 'steps=100000', 'data.lr_patch=8', 'data.batch=2', 'log_every=5', 'model.options.features=8', 'model.options.convs=2',
      `data.train=[${join(datasetsDir, 'Set5/hr')}]`, 'data.val=null'];
    const child = spawn(process.execPath, args, { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/step 10\//.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code).toBe(0);
    expect(stdout).toMatch(/stopped at step \d+; resume with: enhance train .* --resume/);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    const resumed = await runCli(['train', '--config', join(repoRoot, 'presets/compact-x2.yaml'), '--out', out, '--resume', '--set', 'steps=30', 'data.lr_patch=8', 'data.batch=2',
      'model.options.features=8', 'model.options.convs=2', `data.train=[${join(datasetsDir, 'Set5/hr')}]`, 'data.val=null']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/trained 30 steps/);
  }, 120_000);
});

describe('training configs', () => {
  it('an unknown key is an error naming the key', () => {
    expect(() => parseTrainConfig(CONFIG + 'learning_rat: 3\n', 'x.yaml')).toThrow(/x\.yaml: bad config: unknown key 'learning_rat'/);
  });
  it('a bad value is an error naming the key', () => {
    expect(() => parseTrainConfig(CONFIG.replace('batch: 3', 'batch: -3'), 'x.yaml')).toThrow(/x\.yaml: bad config: 'data\.batch'/);
    expect(() => parseTrainConfig(CONFIG.replace('srvgg-compact', 'srvgg'), 'x.yaml')).toThrow(/'model\.arch'/);
  });
});
