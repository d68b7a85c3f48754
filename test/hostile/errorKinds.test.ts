import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../src/cli/runBatch.js';
import { CancelledError, EnhanceError, exitCodeOf } from '../../src/errors.js';
import { repoRoot, runCli, temporaryDirectory } from '../helpers.js';
import { unknownOperatorOnnx } from './craftedFiles.js';
import { expectOneLineRefusal } from './expectations.js';

const plan = [
  { input: 'a.png', output: 'a_x4.png' },
  { input: 'b.png', output: 'b_x4.png' },
];

describe('errors are told apart by type, and mapped to exit codes once', () => {
  it('exit codes: bad input 2, cancelled 130, anything else (a bug) 1', () => {
    expect(exitCodeOf(new EnhanceError('bad', { file: 'x.png' }))).toBe(2);
    expect(exitCodeOf(new CancelledError())).toBe(130);
    expect(exitCodeOf(new TypeError("Cannot read properties of undefined (reading 'parse')"))).toBe(1);
    expect(exitCodeOf('thrown string')).toBe(1);
  });

  it('a batch counts bad input per picture and goes on', async () => {
    const seen: string[] = [];
    const failures = await runBatch('test', plan, undefined, async ({ input }) => {
      seen.push(input);
      if (input === 'a.png') throw new EnhanceError('not an image', { file: input });
    });
    expect(failures).toBe(1);
    expect(seen).toEqual(['a.png', 'b.png']);
  });

  it('a bug in a batch is not blamed on the picture: it stops the batch and reaches the CLI as itself', async () => {
    const seen: string[] = [];
    const bug = new TypeError('shape.reduce is not a function');
    await expect(
      runBatch('test', plan, undefined, async ({ input }) => {
        seen.push(input);
        throw bug;
      }),
    ).rejects.toBe(bug);
    expect(seen).toEqual(['a.png']);
  });
});

describe("onnxruntime's own log lines never reach the terminal", () => {
  it('a graph onnxruntime refuses at session creation gives one line of ours', async () => {
    const dir = await temporaryDirectory();
    const model = await unknownOperatorOnnx(dir);
    const output = join(dir, 'out.png');
    const result = await runCli(['upscale', join(repoRoot, 'samples/chelsea.png'), '--model', model, '-o', output]);
    expect(expectOneLineRefusal(result, model, output)).toContain('is not a valid ONNX model');
    expect(result.stderr).not.toContain('[E:onnxruntime');
  });
});
