import { Option } from 'commander';
import { positiveInteger } from './parseOptions.js';

/** The flags `enhance serve`, `enhance worker` and `enhance upscale --queue` share, defined once. */
export const queueOption = () =>
  new Option('--queue <queue>', "where jobs wait: 'memory' (this process runs them) or redis://host:port (enhance workers on any machine run them)");

export const modelsOption = () =>
  new Option('--models <files...>', 'model files this service also runs, named by their file name without extension (shipped models always)');

export const resultTtlOption = () =>
  new Option('--result-ttl <seconds>', 'how long finished jobs and their results are kept').argParser(positiveInteger).default(24 * 3600);

export interface QueueFlags {
  queue?: string;
  models?: string[];
  resultTtl: number;
}
