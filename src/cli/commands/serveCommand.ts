import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { EnhanceError } from '../../errors.js';
import { DEFAULT_LIMITS } from '../../serve/apiRoutes.js';
import { isLoopbackHost } from '../../serve/apiKey.js';
import { startWebServer, WEB_ROOT } from '../../serve/webServer.js';
import { ModelCatalogue } from '../../service/modelCatalogue.js';
import { openJobQueue } from '../../service/openJobQueue.js';
import { nonNegativeInteger, positiveInteger } from '../parseOptions.js';
import { modelsOption, queueOption, resultTtlOption, type QueueFlags } from '../serviceOptions.js';

interface ServeFlags extends QueueFlags {
  port: number;
  host: string;
  runs: string;
  apiKey?: string;
  storage?: string;
  maxBodyMb: number;
  maxPixels: number;
  maxQueued: number;
  concurrency: number;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the web app (upscale in the browser, watch training runs) and the HTTP API (/v1: upscale now, or as queued jobs)')
    .addOption(new Option('-p, --port <n>', 'port to listen on (0: any free port)').argParser(nonNegativeInteger).default(8080))
    .option('--host <address>', 'address to listen on (0.0.0.0 to reach it from other machines: then --api-key is required)', '127.0.0.1')
    .option('--runs <dir>', 'folder of training runs shown on the training page', 'runs')
    .addOption(queueOption().default('memory'))
    .addOption(new Option('--api-key <key>', 'the key every /v1 request must carry (Authorization: Bearer <key>); required off loopback').env('ENHANCE_API_KEY'))
    .addOption(modelsOption())
    .option('--storage <dir>', 'a folder every worker sees at the same path (NFS, a mounted bucket): jobs may name pictures inside it')
    .addOption(resultTtlOption())
    .addOption(new Option('--max-body-mb <n>', 'largest request body').argParser(positiveInteger).default(DEFAULT_LIMITS.maxBodyBytes / 2 ** 20))
    .addOption(new Option('--max-pixels <n>', 'largest picture, in pixels').argParser(positiveInteger).default(DEFAULT_LIMITS.maxInputPixels))
    .addOption(new Option('--max-queued <n>', 'jobs waiting before new ones get 429').argParser(positiveInteger).default(DEFAULT_LIMITS.maxQueued))
    .addOption(new Option('--concurrency <n>', 'with --queue memory: jobs this process runs at once').argParser(positiveInteger).default(1))
    .addHelpText(
      'after',
      `
The upscale page runs the model in the browser: pictures never leave it. The API (docs/API.md, the
OpenAPI document at /v1/openapi.json) upscales on the server: POST /v1/upscale answers with the
picture; POST /v1/jobs queues it (or paths inside --storage) and GET /v1/jobs/:id follows it. With
--queue memory this process runs the jobs; with --queue redis://host:port, 'enhance worker's on any
number of machines do. The server answers only requests addressed to localhost, 127.0.0.1, [::1] or
--host (others get 421: DNS rebinding), and off loopback only with the API key.

Examples:
  enhance serve
  enhance serve --port 3000 --runs experiments/
  enhance serve --host 0.0.0.0 --api-key "$KEY" --queue redis://127.0.0.1:6379 --storage /mnt/photos`,
    )
    .action(async (options: ServeFlags) => {
      if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new EnhanceError("the web app is not built: run 'npm run build'", { file: WEB_ROOT });
      if (!isLoopbackHost(options.host) && !options.apiKey) throw new EnhanceError(`--host ${options.host} lets other machines run models: give --api-key <key> (or ENHANCE_API_KEY)`);
      if (options.storage && !existsSync(options.storage)) throw new EnhanceError('no such folder', { file: options.storage });
      const catalogue = new ModelCatalogue(options.models ?? []);
      const queue = options.queue ?? 'memory';
      const { queue: jobs, store } = openJobQueue(queue, { catalogue, resultTtlSeconds: options.resultTtl, concurrency: options.concurrency });
      const api = {
        queue: jobs,
        store,
        catalogue,
        resultTtlSeconds: options.resultTtl,
        storage: options.storage && resolve(options.storage),
        apiKey: options.apiKey,
        limits: { maxBodyBytes: options.maxBodyMb * 2 ** 20, maxInputPixels: options.maxPixels, maxQueued: options.maxQueued },
      };
      const server = await startWebServer({ port: options.port, host: options.host, runsDir: resolve(options.runs), runsDirShown: options.runs, api }).catch((error: NodeJS.ErrnoException) => {
        throw new EnhanceError(error.code === 'EADDRINUSE' ? `port ${options.port} is in use (try --port 0)` : `cannot listen (${error.code ?? error.message})`);
      });
      // The URL on stdout alone, so scripts (and the tests) can read it.
      process.stdout.write(`${server.url}/\n`);
      process.stderr.write(`enhance: serving the web app at ${server.url}/ (training runs in ${options.runs} at /training) and the API at ${server.url}/v1 (queue: ${queue}); Ctrl-C stops\n`);
      await new Promise(() => {}); // until Ctrl-C
    });
}
