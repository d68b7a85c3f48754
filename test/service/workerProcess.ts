import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';

/** An `enhance worker` process: its log lines as they come, ready once it prints `ready <pid>`. */
export class WorkerProcess {
  readonly log: string[] = [];
  private constructor(readonly child: ChildProcess) {}

  /** Start `enhance worker <args>`. */
  static start(args: string[]): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/enhance.js'), 'worker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const worker = new WorkerProcess(child);
    let partial = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      worker.log.push(...lines);
    });
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.toString().startsWith('ready') && resolve(worker));
      child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${worker.log.join('\n')}`)));
    });
  }

  /** Log lines of one state ('running', 'done', 'failed', 'cancelled') about a picture whose path ends with `name`. */
  lines(state: string, name = ''): string[] {
    return this.log.filter((line) => line.includes(` ${state} `) && line.split(': ')[1]?.split(' ')[2]?.endsWith(name));
  }

  /** The segment indices of `video` this worker finished, from its log ('<id> done <video>#<index>'). */
  segmentsDone(video: string): number[] {
    return this.log.flatMap((line) => {
      const match = / done (\S+)#(\d+)$/.exec(line);
      return match && match[1] === video ? [Number(match[2])] : [];
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
