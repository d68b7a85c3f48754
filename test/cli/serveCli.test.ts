import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers.js';
import { requestWithHost } from '../serve/requestWithHost.js';

/** Start `enhance serve` and resolve with the URL it prints on stdout. */
function startServe(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/enhance.js'), 'serve', ...args], { cwd: repoRoot });
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n')) resolve({ child, url: line.trim() });
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

describe('enhance serve', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGINT');
    child = undefined;
  });

  it('serves both pages, cross-origin isolated, the shipped models and onnxruntime-web', async () => {
    const started = await startServe(['--port', '0', '--runs', join(repoRoot, 'test/fixtures')]);
    child = started.child;
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(started.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await page.text()).toContain('Nothing is uploaded');
    expect(await (await fetch(`${started.url}training`)).text()).toContain('/assets/training.js');
    const models = (await (await fetch(`${started.url}api/models`)).json()) as { name: string; scale: number; isDefault: boolean }[];
    expect(models.filter((m) => m.isDefault).map((m) => [m.name, m.scale])).toEqual([
      ['photo-x2', 2],
      ['photo-x4', 4],
    ]);
    const model = await fetch(`${started.url}models/compact-x4.safetensors`);
    expect(model.status).toBe(200);
    expect((await model.arrayBuffer()).byteLength).toBeGreaterThan(900_000);
    expect((await fetch(`${started.url}models/..%2Fpackage.json`)).status).toBe(404);
    const wasm = await fetch(`${started.url}ort/ort-wasm-simd-threaded.jsep.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
  }, 60_000);

  it('answers the --host it listens on and refuses other names with 421, sending its CSP', async () => {
    const started = await startServe(['--port', '0', '--host', '127.0.0.2', '--runs', 'test/fixtures']);
    child = started.child;
    const url = new URL(started.url);
    expect(url.hostname).toBe('127.0.0.2');
    const page = await requestWithHost(started.url, url.host);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const refused = await requestWithHost(`${started.url}api/runs`, `attacker.example:${url.port}`);
    expect(refused.status).toBe(421);
    expect(refused.headers['content-security-policy']).toContain("default-src 'self'");
  }, 60_000);

  it('names the runs folder in X-Runs-Dir as --runs was typed, not as an absolute path', async () => {
    const started = await startServe(['--port', '0', '--runs', 'test/fixtures']);
    child = started.child;
    const response = await fetch(`${started.url}api/runs`);
    expect(response.status).toBe(200);
    expect(decodeURIComponent(response.headers.get('x-runs-dir')!)).toBe('test/fixtures');
  }, 60_000);

  it('says in one line when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['serve', '--port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`port ${port} is in use`);
    } finally {
      blocker.close();
    }
  }, 30_000);
});
