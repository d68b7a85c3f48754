import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DegradationSettings } from './degradationSettings.js';
import type { DegradeReply, DegradeRequest } from './degradationWorker.js';

const WORKER_PATH = fileURLToPath(new URL('../../dist/degradation/degradationWorker.js', import.meta.url));

/**
 * Real-world degradation of training batches in a child process of the lowest priority: off the
 * thread that runs the training step, and off its cores whenever the step keeps them busy.
 *
 * A process, not a worker thread: a thread can lower only its own priority, while the JPEG round
 * trips run on libuv's and libvips' shared threads, which stayed at the step's priority and took
 * 0.1 s of every 0.55 s x4 step (`npm run bench -- degrade`: 1.24x with a worker thread, 1.06x
 * without JPEG). Every thread of a niced process is niced, those included.
 */
export class DegradationProcess {
  private readonly child: ChildProcess;
  private nextId = 0;
  private stopping = false;
  private readonly pending = new Map<number, { resolve: (lr: Float32Array) => void; reject: (error: Error) => void }>();

  constructor() {
    // Typed arrays cross the pipe as themselves with the structured-clone serialization.
    this.child = fork(WORKER_PATH, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.child.on('message', (reply: DegradeReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiting?.reject(new Error(`degradation failed: ${reply.error}`));
      else waiting?.resolve(reply.lr);
    });
    const failAll = (error: Error) => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    this.child.on('error', failAll);
    this.child.on('exit', (code, signal) => {
      // Batches asked for ahead and no longer wanted once the run stops are dropped, not failed.
      if (this.stopping) this.pending.clear();
      else failAll(new Error(`degradation process stopped (${signal ?? `exit code ${code}`})`));
    });
  }

  /** The child's process id (tests read its threads' priorities). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The LR batch [batch, 3, height / scale, width / scale] of an HR batch, patch b from seeds[b]. */
  degrade(hr: Float32Array, shape: [number, number, number, number], seeds: number[], scale: number, settings: DegradationSettings): Promise<Float32Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A copy goes to the process: the HR batch is still needed here as the training target.
      this.child.send({ id, hr, shape, seeds, scale, settings } satisfies DegradeRequest, (error) => error && reject(error));
    });
  }

  async terminate(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill();
    await exited;
  }
}
