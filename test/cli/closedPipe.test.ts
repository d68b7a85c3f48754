import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../helpers.js';

it('a reader that closes the pipe early (enhance eval --help | head -1) ends the output without a stack trace', async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/enhance.js'), 'eval', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Read nothing and close at once, as `head` does after its first line.
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});
