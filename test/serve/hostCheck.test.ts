import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAllowedHost } from '../../src/serve/hostCheck.js';
import { createWebApp, startWebServer, type RunningServer } from '../../src/serve/webServer.js';
import { temporaryDirectory } from '../helpers.js';
import { requestWithHost } from './requestWithHost.js';

describe('which Host names this server', () => {
  it('accepts the loopback names with the port or without one, in any case', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', '127.0.0.1', 'localhost', '[::1]', 'LocalHost:8080']) {
      expect(isAllowedHost(host, '127.0.0.1', 8080), host).toBe(true);
    }
  });

  it('refuses other names, other ports and malformed values', () => {
    for (const host of ['attacker.example', 'attacker.example:8080', 'localhost.attacker.example:8080', '127.0.0.1.nip.io:8080', 'localhost:8081', '[::1]:80', '::1', '', 'localhost:8080:1', 'user@localhost:8080']) {
      expect(isAllowedHost(host, '127.0.0.1', 8080), host).toBe(false);
    }
  });

  it('accepts the --host address, IPv6 ones in brackets', () => {
    expect(isAllowedHost('192.168.1.5:8080', '192.168.1.5', 8080)).toBe(true);
    expect(isAllowedHost('192.168.1.5:8080', '127.0.0.1', 8080)).toBe(false);
    expect(isAllowedHost('mybox.lan:8080', 'mybox.lan', 8080)).toBe(true);
    expect(isAllowedHost('[fd00::5]:8080', 'fd00::5', 8080)).toBe(true);
  });

  it('accepts any IP address, but no other name, when listening on every interface', () => {
    expect(isAllowedHost('192.168.1.5:8080', '0.0.0.0', 8080)).toBe(true);
    expect(isAllowedHost('[fd00::5]:8080', '::', 8080)).toBe(true);
    expect(isAllowedHost('attacker.example:8080', '0.0.0.0', 8080)).toBe(false);
    expect(isAllowedHost('192.168.1.5:9090', '0.0.0.0', 8080)).toBe(false);
  });
});

describe('the Host check on every route', () => {
  it('answers 421 with a short text to a request for another name', async () => {
    const app = createWebApp({ runsDir: join(await temporaryDirectory(), 'runs') });
    for (const path of ['/', '/training', '/api/runs', '/api/models', '/api/runs/some-run', '/models/compact-x4.safetensors', '/ort/ort-wasm-simd-threaded.jsep.wasm', '/nowhere']) {
      for (const host of ['attacker.example', 'attacker.example:8080']) {
        const response = await app.request(path, { headers: { Host: host } });
        expect(response.status, `${host} ${path}`).toBe(421);
        const text = await response.text();
        expect(text, path).toMatch(/^misdirected request: .*localhost.*\n$/);
        expect(text.length, path).toBeLessThan(200);
      }
    }
  });

  describe('on a listening server', () => {
    let server: RunningServer;
    let port: number;

    beforeAll(async () => {
      server = await startWebServer({ port: 0, host: '127.0.0.1', runsDir: join(await temporaryDirectory(), 'runs') });
      port = Number(new URL(server.url).port);
    });

    afterAll(() => server?.close());

    it('serves a loopback Host with its port, or without a port', async () => {
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost']) {
        for (const path of ['/', '/api/runs', '/api/models']) {
          expect((await requestWithHost(`${server.url}${path}`, host)).status, `${host} ${path}`).toBe(200);
        }
      }
    });

    it('refuses a loopback Host with another port, and any other name', async () => {
      for (const host of [`localhost:${port + 1}`, `attacker.example:${port}`, 'attacker.example']) {
        for (const path of ['/', '/api/runs', '/api/models']) {
          const response = await requestWithHost(`${server.url}${path}`, host);
          expect(response.status, `${host} ${path}`).toBe(421);
          expect(response.body, `${host} ${path}`).not.toContain('Nothing is uploaded');
        }
      }
    });
  });

  it('accepts the --host the server listens on, which another server refuses', async () => {
    const runsDir = join(await temporaryDirectory(), 'runs');
    const other = await startWebServer({ port: 0, host: '127.0.0.2', runsDir });
    const loopback = await startWebServer({ port: 0, host: '127.0.0.1', runsDir });
    try {
      const port = new URL(other.url).port;
      expect((await requestWithHost(`${other.url}/api/runs`, `127.0.0.2:${port}`)).status).toBe(200);
      expect((await requestWithHost(`${other.url}/api/runs`, `localhost:${port}`)).status).toBe(200);
      const loopbackPort = new URL(loopback.url).port;
      expect((await requestWithHost(`${loopback.url}/api/runs`, `127.0.0.2:${loopbackPort}`)).status).toBe(421);
    } finally {
      await Promise.all([other.close(), loopback.close()]);
    }
  });
});
