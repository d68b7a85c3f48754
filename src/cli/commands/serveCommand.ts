import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { EnhanceError } from '../../errors.js';
import { startWebServer, WEB_ROOT } from '../../serve/webServer.js';
import { nonNegativeInteger } from '../parseOptions.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('start the web app: upscale pictures in the browser, and watch training runs live')
    .addOption(new Option('-p, --port <n>', 'port to listen on (0: any free port)').argParser(nonNegativeInteger).default(8080))
    .option('--host <address>', 'address to listen on (0.0.0.0 to reach it from other machines)', '127.0.0.1')
    .option('--runs <dir>', 'folder of training runs shown on the training page', 'runs')
    .addHelpText(
      'after',
      `
Pictures never leave the browser: the page runs the model itself (onnxruntime-web: WebGPU where the
browser has it, multi-threaded WebAssembly otherwise). The server hands out the page, the shipped
models as ONNX, and the logs, plots and sample grids of the runs in --runs (nothing outside it, even
through links). It answers only requests addressed to localhost, 127.0.0.1, [::1] or --host (with
--host 0.0.0.0, to any of the machine's IP addresses): other names are refused with 421, so a web
page elsewhere cannot read it by pointing its own name at this machine (DNS rebinding).

Examples:
  enhance serve
  enhance serve --port 3000 --runs experiments/`,
    )
    .action(async (options: { port: number; host: string; runs: string }) => {
      if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new EnhanceError("the web app is not built: run 'npm run build'", { file: WEB_ROOT });
      const server = await startWebServer({ port: options.port, host: options.host, runsDir: resolve(options.runs), runsDirShown: options.runs }).catch((error: NodeJS.ErrnoException) => {
        throw new EnhanceError(error.code === 'EADDRINUSE' ? `port ${options.port} is in use (try --port 0)` : `cannot listen (${error.code ?? error.message})`);
      });
      // The URL on stdout alone, so scripts (and the tests) can read it.
      process.stdout.write(`${server.url}/\n`);
      process.stderr.write(`enhance: serving the web app; upscale at ${server.url}/, training runs in ${options.runs} at ${server.url}/training (Ctrl-C stops)\n`);
      await new Promise(() => {}); // until Ctrl-C
    });
}
