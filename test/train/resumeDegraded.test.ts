import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/models/modelFile.js';
import { parseTrainConfig } from '../../src/train/trainConfig.js';
import { runTraining } from '../../src/train/trainRun.js';
import { datasetsDir, repoRoot, temporaryDirectory } from '../helpers.js';

// Real-world degradations at x4 on 32x32 HR patches: every batch goes through the whole second-order
// pipeline (blur, resize, noise, two JPEGs) in the degradation worker.
const CONFIG = `
name: resume-degraded
scale: 4
seed: 3
model: { arch: srvgg-compact, options: { features: 8, convs: 2 } }
degradation: { final: { jpeg_quality: [40, 60] } }
data: { train: [${join(datasetsDir, 'Set5/hr')}], lr_patch: 8, batch: 2, patches_per_image: 3 }
optimizer: { type: adam, lr: 1.0e-3 }
steps: 16
checkpoint_every: 1000
log_every: 4
threads: 1
`;

describe('training on real-world degradations', () => {
  it('resumes exactly: the degraded batches after a resume are those an uninterrupted run sees', async () => {
    const config = parseTrainConfig(CONFIG, join(repoRoot, 'degraded.yaml'));
    const straight = await temporaryDirectory();
    await runTraining(config, { outDir: straight, resume: false });

    const interrupted = await temporaryDirectory();
    const controller = new AbortController();
    await runTraining(config, { outDir: interrupted, resume: false, signal: controller.signal, onEvent: (event) => event.kind === 'step' && event.step === 7 && controller.abort() });
    const second = await runTraining(config, { outDir: interrupted, resume: true });
    expect(second).toMatchObject({ steps: 16, interrupted: false });

    const a = await loadModel(join(straight, 'model.safetensors'));
    const b = await loadModel(join(interrupted, 'model.safetensors'));
    for (const [name, tensor] of a.state) expect(Array.from(b.state.get(name)!.data as Float32Array), name).toEqual(Array.from(tensor.data as Float32Array));
  }, 120_000);

  it('trains on other pictures than the bicubic run of the same seed', async () => {
    const degraded = parseTrainConfig(CONFIG, join(repoRoot, 'degraded.yaml'));
    const bicubic = parseTrainConfig(CONFIG.replace(/^degradation:.*$/m, ''), join(repoRoot, 'bicubic.yaml'));
    const [outA, outB] = [await temporaryDirectory(), await temporaryDirectory()];
    await runTraining({ ...degraded, steps: 4 }, { outDir: outA, resume: false });
    await runTraining({ ...bicubic, steps: 4 }, { outDir: outB, resume: false });
    const [a, b] = [await loadModel(join(outA, 'model.safetensors')), await loadModel(join(outB, 'model.safetensors'))];
    const name = [...a.state.keys()][0];
    expect(Array.from(a.state.get(name)!.data as Float32Array)).not.toEqual(Array.from(b.state.get(name)!.data as Float32Array));
  }, 120_000);
});
