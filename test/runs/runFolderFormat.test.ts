import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendLogLine,
  completeLines,
  formatLogLine,
  isRunListing,
  isSampleFileName,
  logUpToStep,
  parseLog,
  parseLogLine,
  readLogUpToStep,
  runPaths,
  sampleFileName,
  writeLog,
} from '../../src/runs/runFolderFormat.js';
import { temporaryDirectory } from '../helpers.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('a run folder', () => {
  it('keeps its files under the names runs written so far have', () => {
    expect(runPaths('run')).toEqual({
      checkpoint: join('run', 'checkpoint.safetensors'),
      log: join('run', 'log.jsonl'),
      config: join('run', 'config.json'),
      samples: join('run', 'samples'),
      model: join('run', 'model.safetensors'),
      plot: join('run', 'plot.png'),
    });
  });

  it('names sample grids by zero-padded step, and does not take their temporaries for grids', () => {
    expect(sampleFileName(500)).toBe('step_0000500.png');
    expect(isSampleFileName(sampleFileName(500))).toBe(true);
    expect(isSampleFileName('.step_0000500.png.tmp-123-abcdef01')).toBe(false);
  });

  it('is a run once it holds a config or a log', () => {
    expect(isRunListing(['config.json'])).toBe(true);
    expect(isRunListing(['log.jsonl', 'samples'])).toBe(true);
    expect(isRunListing(['samples', 'notes.txt'])).toBe(false);
  });
});

describe('a run log', () => {
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

  it('reads the same lines from its text as from its bytes, an unfinished last line left out', () => {
    const text = '{"step":5,"loss":0.1}\n{"step":10,"loss":0.0';
    expect(parseLog(text)).toEqual([{ step: 5, loss: 0.1 }]);
    expect(parseLog(bytes(text))).toEqual(parseLog(text));
  });

  it('without a single complete line is empty', () => {
    expect(parseLog('')).toEqual([]);
    expect(parseLog('{"step":5')).toEqual([]);
  });

  it('on resume keeps the lines up to the checkpoint step, validation lines included', () => {
    const text = [{ step: 5, loss: 1 }, { step: 10, loss: 0.5 }, { step: 10, val: { psnrY: 30, ssimY: 0.9 } }, { step: 15, loss: 0.4 }].map(formatLogLine).join('') + '{"st';
    expect(logUpToStep(text, 10)).toEqual([{ step: 5, loss: 1 }, { step: 10, loss: 0.5 }, { step: 10, val: { psnrY: 30, ssimY: 0.9 } }]);
  });

  it('is written and appended to as one JSON object a line', async () => {
    const { log } = runPaths(await temporaryDirectory());
    await writeLog(log, [{ step: 5, loss: 1 }]);
    await appendLogLine(log, { step: 10, val: { psnrY: 30, ssimY: 0.9 } });
    expect(await readFile(log, 'utf8')).toBe('{"step":5,"loss":1}\n{"step":10,"val":{"psnrY":30,"ssimY":0.9}}\n');
  });

  it('read back for a resume says whether cutting it back to the checkpoint dropped anything', async () => {
    const { log } = runPaths(await temporaryDirectory());
    await writeFile(log, '{"step":5,"loss":1}\n{"step":10,"loss":0.5}\n');
    expect(await readLogUpToStep(log, 10)).toEqual({ lines: [{ step: 5, loss: 1 }, { step: 10, loss: 0.5 }], cutBack: false });
    await writeFile(log, '{"step":5,"loss":1}\n{"step":10,"lo');
    expect(await readLogUpToStep(log, 10)).toEqual({ lines: [{ step: 5, loss: 1 }], cutBack: true });
  });

  it('that does not exist reads back as no lines', async () => {
    expect(await readLogUpToStep(runPaths(await temporaryDirectory()).log, 10)).toEqual({ lines: [], cutBack: false });
  });
});
