import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { apiRoutes, type ApiOptions } from './apiRoutes.js';
import { isLoopbackHost, requireApiKey } from './apiKey.js';
import { hostCheck } from './hostCheck.js';
import { securityHeaders } from './responseHeaders.js';
import { runsRoutes } from './runsApi.js';
import { listShippedModels, shippedModelFile } from '../models/shippedModels.js';

/** The built front end (`npm run build` writes it from web/). */
export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** onnxruntime-web's WebAssembly files, served to the page's worker under /ort/. */
function onnxruntimeWebDist(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('onnxruntime-web'));
}

export interface WebAppOptions {
  /** Folder of training runs (one sub-folder per run) for the training page. */
  runsDir: string;
  /** How the training page names the runs folder (`--runs` as typed); default `runsDir`. */
  runsDirShown?: string;
  /** The address the server listens on (`--host`): a `Host` naming it is answered, besides the loopback names. Default 127.0.0.1. */
  host?: string;
  /** The built front end; default web/dist of this package. */
  webRoot?: string;
  /** The HTTP API under /v1 (upscale now, jobs on a queue); absent: the web app alone. */
  api?: ApiOptions & {
    /** Required of every /v1 request when set; it must be set when `host` is not a loopback address. */
    apiKey?: string;
  };
}

/**
 * The web app: the upscale page (everything runs in the browser; the server only hands out the page,
 * onnxruntime-web and the shipped model files) and the training page (runs read from `runsDir`).
 * Every response, refusals included, carries the security headers (`responseHeaders.ts`); a request
 * whose `Host` does not name this server is refused before any route sees it (`hostCheck.ts`).
 */
export function createWebApp(options: WebAppOptions): Hono {
  const webRoot = options.webRoot ?? WEB_ROOT;
  const app = new Hono();
  app.use('*', securityHeaders());
  app.use('*', hostCheck(options.host ?? '127.0.0.1'));

  app.get('/api/models', async (c) => c.json(await listShippedModels()));
  // The page reads shipped models as any model file the user drops in (.safetensors), with the same code.
  app.get('/models/:file{[\\w.-]+\\.safetensors}', async (c) => {
    const file = shippedModelFile(c.req.param('file').replace(/\.safetensors$/, ''));
    if (!file) return c.json({ error: 'no shipped model of that name' }, 404);
    return c.body(new Uint8Array(await readFile(file)), 200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-cache' });
  });
  app.route('/api/runs', runsRoutes(options.runsDir, options.runsDirShown ?? options.runsDir));
  if (options.api) {
    const host = options.host ?? '127.0.0.1';
    // Anyone who reaches the port could run the models: off loopback, only with the key.
    if (!isLoopbackHost(host) && !options.api.apiKey) throw new Error(`the API listens on ${host}, beyond this machine: give --api-key (or ENHANCE_API_KEY)`);
    app.use('/v1/*', requireApiKey(options.api.apiKey));
    app.route('/v1', apiRoutes(options.api));
  }

  const ortRoot = onnxruntimeWebDist();
  app.use('/ort/*', serveStatic({ root: ortRoot, rewriteRequestPath: (path) => path.replace(/^\/ort/, '') }));
  app.get('/training', serveStatic({ root: webRoot, path: 'training.html' }));
  app.use('/*', serveStatic({ root: webRoot }));
  app.notFound((c) => c.json({ error: `not found: ${c.req.path}` }, 404));
  return app;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Serve the web app on `host:port` (port 0: any free port). */
export function startWebServer(options: WebAppOptions & { port: number; host: string }): Promise<RunningServer> {
  const app = createWebApp(options);
  return new Promise((resolvePromise, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
        resolvePromise({
          url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${info.port}`,
          close: () =>
            new Promise((done) => {
              server.close(() => done());
              // Open event streams (a training page left open) would keep close() waiting forever.
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      });
      server.on('error', reject);
    } catch (error) {
      reject(error);
    }
  });
}
