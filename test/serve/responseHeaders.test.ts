import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWebApp } from '../../src/serve/webServer.js';
import { temporaryDirectory } from '../helpers.js';

/** The directives the pages' safety rests on, each checked on its own so a missing one is named. */
const REQUIRED_DIRECTIVES = ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"];

function directives(policy: string | null): string[] {
  return (policy ?? '').split(';').map((directive) => directive.trim());
}

describe('the headers on every response', () => {
  it('sends the Content-Security-Policy and the cross-origin isolation headers on pages, files, API answers and refusals', async () => {
    const runsDir = join(await temporaryDirectory(), 'runs');
    await mkdir(join(runsDir, 'run'), { recursive: true });
    await writeFile(join(runsDir, 'run', 'config.json'), '{}');
    const app = createWebApp({ runsDir });
    const cases: [path: string, status: number, host?: string][] = [
      ['/', 200],
      ['/training', 200],
      ['/assets/upscale.js', 200],
      ['/assets/upscaleWorker.js', 200],
      ['/ort/ort-wasm-simd-threaded.jsep.mjs', 200],
      ['/api/models', 200],
      ['/api/runs', 200],
      ['/api/runs/run', 200],
      ['/api/runs/.hidden', 400],
      ['/api/runs/nope', 404],
      ['/nowhere', 404],
      ['/api/runs', 421, 'attacker.example'],
    ];
    for (const [path, status, host] of cases) {
      const response = await app.request(path, host ? { headers: { Host: host } } : {});
      const what = `${host ?? ''} ${path}`;
      expect(response.status, what).toBe(status);
      const policy = directives(response.headers.get('Content-Security-Policy'));
      for (const directive of REQUIRED_DIRECTIVES) expect(policy, `${what}: ${directive}`).toContain(directive);
      expect(response.headers.get('Cross-Origin-Opener-Policy'), what).toBe('same-origin');
      expect(response.headers.get('Cross-Origin-Embedder-Policy'), what).toBe('require-corp');
      expect(response.headers.get('Cross-Origin-Resource-Policy'), what).toBe('same-origin');
      expect(response.headers.get('X-Content-Type-Options'), what).toBe('nosniff');
      await response.body?.cancel();
    }
  });

  it('sends the Content-Security-Policy on an event stream', async () => {
    const runsDir = join(await temporaryDirectory(), 'runs');
    await mkdir(join(runsDir, 'run'), { recursive: true });
    await writeFile(join(runsDir, 'run', 'log.jsonl'), '');
    const response = await createWebApp({ runsDir }).request('/api/runs/run/events');
    expect(response.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    expect(directives(response.headers.get('Content-Security-Policy'))).toContain("default-src 'self'");
    await response.body?.cancel();
  });

  it('names the runs folder as it was given in X-Runs-Dir, not as an absolute path', async () => {
    const runsDir = join(await temporaryDirectory(), 'runs');
    const response = await createWebApp({ runsDir, runsDirShown: 'runs' }).request('/api/runs');
    expect(response.headers.get('X-Runs-Dir')).toBe('runs');
  });
});
