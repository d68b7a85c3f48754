import { describe, expect, it } from 'vitest';
import { isGanRun, summarizeRun } from '../../src/serve/runSummary.js';

describe('run summary', () => {
  it('calls a run GAN when its config has a gan section or its log has discriminator terms', () => {
    expect(isGanRun({ gan: { loss: 'ragan' } }, [])).toBe(true);
    expect(isGanRun({}, [{ step: 1, terms: { d_real: 0.1 } }])).toBe(true);
    expect(isGanRun({}, [{ step: 1, terms: { l1: 0.1, perceptual: 0.2 } }])).toBe(false);
    expect(isGanRun(undefined, [])).toBe(false);
  });

  it('summarizes a run by its last step, last loss, last validation and configured steps', () => {
    const log = [
      { step: 10, loss: 0.3 },
      { step: 20, loss: 0.2 },
      { step: 20, val: { psnrY: 28, ssimY: 0.8 } },
      { step: 30, loss: 0.1 },
    ];
    const modified = new Date('2025-03-04T05:06:07Z');
    expect(summarizeRun('x4', { steps: 100 }, log, modified)).toEqual({
      name: 'x4',
      gan: false,
      modified: '2025-03-04T05:06:07.000Z',
      totalSteps: 100,
      step: 30,
      loss: 0.1,
      val: { step: 20, psnrY: 28, ssimY: 0.8 },
    });
    expect(summarizeRun('new', undefined, [], modified)).toEqual({ name: 'new', gan: false, modified: '2025-03-04T05:06:07.000Z' });
  });
});
