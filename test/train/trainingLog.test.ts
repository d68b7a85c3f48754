import { describe, expect, it } from 'vitest';
import { formatLogLine, logUpToStep, parseLog } from '../../src/train/trainingLog.js';

describe('a run log read back', () => {
  it('leaves out an unfinished last line', () => {
    expect(parseLog('{"step":5,"loss":0.1}\n{"step":10,"loss":0.0')).toEqual([{ step: 5, loss: 0.1 }]);
  });

  it('leaves out complete lines that are not log lines', () => {
    const text = ['{"step":5}', 'garbage', '[1,2]', '{"loss":1}', '{"step":"6"}', '{"step":7,"terms":{"a":"x"}}', '{"step":8,"val":{"psnrY":30}}', ''].join('\n');
    expect(parseLog(text).map((line) => line.step)).toEqual([5, 8]);
  });

  it('on resume keeps the lines up to the checkpoint step, validation lines included', () => {
    const text = [{ step: 5, loss: 1 }, { step: 10, loss: 0.5 }, { step: 10, val: { psnrY: 30, ssimY: 0.9 } }, { step: 15, loss: 0.4 }].map(formatLogLine).join('') + '{"st';
    expect(logUpToStep(text, 10)).toEqual([{ step: 5, loss: 1 }, { step: 10, loss: 0.5 }, { step: 10, val: { psnrY: 30, ssimY: 0.9 } }]);
  });

  it('a log without a single complete line is empty', () => {
    expect(parseLog('')).toEqual([]);
    expect(parseLog('{"step":5')).toEqual([]);
  });
});
