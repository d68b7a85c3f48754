import { describe, expect, it } from 'vitest';
import { completeLines, isGanRun, parseLog, parseLogLine, summarizeRun } from '../../src/serve/runLog.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('run log', () => {
  it('counts only lines that end in a newline, and the bytes they span', () => {
    expect(completeLines(bytes('{"step":1}\n{"step":2}\n{"step":3'))).toEqual({ lines: ['{"step":1}', '{"step":2}'], end: 22 });
    expect(completeLines(bytes('{"step":1'))).toEqual({ lines: [], end: 0 });
  });

  it('measures the complete lines in bytes, not characters', () => {
    expect(completeLines(bytes('{"note":"é"}\n')).end).toBe(14); // 12 characters, é is 2 bytes, and the newline
  });

  it('skips lines that are blank, not JSON, or have no numeric step', () => {
    const log = parseLog(bytes('{"step":1,"loss":0.5}\n\nnot json\n[1]\n{"loss":0.4}\n{"step":"2"}\n{"step":3,"terms":{"g_l1":"x"}}\n{"step":4,"val":{"psnrY":30}}\n'));
    expect(log).toEqual([{ step: 1, loss: 0.5 }, { step: 4, val: { psnrY: 30 } }]);
    expect(parseLogLine('{"step":5,"terms":{"d_real":0.2}}')).toEqual({ step: 5, terms: { d_real: 0.2 } });
  });

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
