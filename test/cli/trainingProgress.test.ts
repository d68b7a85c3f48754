import { describe, expect, it } from 'vitest';
import { TrainingProgress } from '../../src/cli/trainingProgress.js';

/** A stream that is not a terminal (a log file, a pipe), keeping what is written to it. */
function pipe(): { stream: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const stream = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

describe('training progress on a pipe', () => {
  it('writes a line per training log line and per validation, the last PSNR on the lines after it', () => {
    const { stream, text } = pipe();
    const progress = new TrainingProgress('x2', stream);
    progress.onEvent({ kind: 'start', step: 0, steps: 20, psnrY: undefined });
    progress.onEvent({ kind: 'step', step: 10, loss: 0.05 });
    progress.onEvent({ kind: 'log', line: { step: 10, loss: 0.0493, lr: 0.00088, seconds: 3 } });
    progress.onEvent({ kind: 'validation', step: 10, scores: { psnrY: 26.6857, ssimY: 0.62622 } });
    progress.onEvent({ kind: 'log', line: { step: 20, loss: 0.04, lr: 0.0005, seconds: 6, terms: { d_loss: 0.69314 } } });
    progress.onEvent({ kind: 'validation', step: 20, scores: { psnrY: 28.25, ssimY: 0.73598, niqe: 7.7312 } });
    progress.stop();
    expect(text()).toBe(
      'x2 step 10/20 loss 0.04930 lr 8.80e-4 (3 s)\n' +
        'x2 step 10 validation PSNR-Y 26.686 SSIM-Y 0.6262\n' +
        'x2 step 20/20 loss 0.04000 D 0.6931 lr 5.00e-4 PSNR 26.69 (6 s)\n' +
        'x2 step 20 validation PSNR-Y 28.250 SSIM-Y 0.7360 NIQE 7.731\n',
    );
  });

  it('names the run on the line that says what resuming repaired', () => {
    const { stream, text } = pipe();
    new TrainingProgress('x2', stream).onEvent({ kind: 'repaired', what: ["log.jsonl cut back to the checkpoint's step 10", 'removed 2 unfinished temporary files of a killed run'] });
    expect(text()).toBe("x2: log.jsonl cut back to the checkpoint's step 10; removed 2 unfinished temporary files of a killed run\n");
  });
});
