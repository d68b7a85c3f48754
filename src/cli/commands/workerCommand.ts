import { Command, Option } from 'commander';
import { EnhanceError } from '../../errors.js';
import { releaseModelRunners } from '../../upscale/loadModelRunner.js';
import { ModelCatalogue } from '../../service/modelCatalogue.js';
import { redisUrl } from '../../service/redisConnection.js';
import { startRedisWorker } from '../../service/redisWorker.js';
import { onInterrupt } from '../interrupt.js';
import { positiveInteger } from '../parseOptions.js';
import { modelsOption, queueOption, resultTtlOption, type QueueFlags } from '../serviceOptions.js';

interface WorkerFlags extends QueueFlags {
  concurrency: number;
  threads?: number;
  tile?: number;
  preload?: string[];
  lockMs: number;
}

export function workerCommand(): Command {
  return new Command('worker')
    .description('run upscale jobs from a Redis queue (enhance serve --queue redis://..., enhance upscale --queue redis://...)')
    .addOption(queueOption().makeOptionMandatory())
    .addOption(new Option('--concurrency <n>', 'jobs at once (1 per machine is best on CPU: one job uses every core)').argParser(positiveInteger).default(1))
    .addOption(new Option('--threads <n>', 'threads per model (default: all cores)').argParser(positiveInteger))
    .addOption(new Option('--tile <n>', 'tile side in input pixels (default: the largest the memory budget allows)').argParser(positiveInteger))
    .addOption(modelsOption())
    .addOption(new Option('--preload <names...>', 'models compiled before the first job (default: the shipped defaults)'))
    .addOption(resultTtlOption())
    .addOption(new Option('--lock-ms <ms>', "a dead worker's job goes to another worker after this long").argParser(positiveInteger).default(30_000))
    .addHelpText(
      'after',
      `
Each worker takes jobs from the queue, runs them with the same code as 'enhance upscale' (each model
compiled once and kept warm), and writes results to Redis (pictures sent over HTTP) or to the job's
output path (pictures on shared storage: the same mount point on every machine). A worker killed
mid-job loses nothing: its job is retried by another after --lock-ms. Ctrl-C finishes the jobs in
hand, then stops. See docs/DEPLOY.md.

Examples:
  enhance worker --queue redis://127.0.0.1:6379
  enhance worker --queue redis://queue.lan:6379 --concurrency 2 --threads 4 --models RealESRGAN_x4plus.pth`,
    )
    .action(async (options: WorkerFlags) => {
      const url = redisUrl(options.queue!);
      const catalogue = new ModelCatalogue(options.models ?? []);
      for (const name of options.preload ?? []) if (!catalogue.pathOf(name)) throw new EnhanceError(`--preload: unknown model '${name}'`);
      const log = (line: string) => process.stderr.write(`enhance worker: ${line}\n`);
      // Redis away (not started yet, restarting): the worker keeps trying, and says so.
      const waiting = setInterval(() => log(`still waiting for Redis at ${url} (is it running and reachable?)`), 5000);
      const worker = await startRedisWorker(url, {
        catalogue,
        concurrency: options.concurrency,
        threads: options.threads,
        tile: options.tile,
        preload: options.preload ?? ['default-x4', 'default-x2'],
        resultTtlSeconds: options.resultTtl,
        lockMs: options.lockMs,
        onJob: ({ id, picture, state, message }) => log(`${id} ${state} ${picture}${message ? `: ${message}` : ''}`),
      });
      clearInterval(waiting);
      // The pid, so scripts (and the tests) know the worker is ready.
      process.stdout.write(`ready ${process.pid}\n`);
      log(`taking jobs from ${url} (${options.concurrency} at a time); Ctrl-C stops after the jobs in hand`);
      // Ctrl-C, or SIGTERM from docker stop / systemd: the jobs in hand finish first.
      await new Promise<void>((resolve) => {
        onInterrupt(() => resolve());
        process.once('SIGTERM', () => resolve());
      });
      log('stopping after the jobs in hand');
      await worker.close();
      await releaseModelRunners();
    });
}
