import { Worker } from 'node:worker_threads';
import type { DegradationSettings } from './degradationSettings.js';
import type { DegradeReply, DegradeRequest } from './degradationWorker.js';

const WORKER_URL = new URL('../../dist/degradation/degradationWorker.js', import.meta.url);

/**
 * Real-world degradation of training batches in a worker thread of the lowest priority: off the
 * thread that runs the training step, and off its cores whenever the step keeps them busy.
 */
export class DegradationThread {
  private readonly worker = new Worker(WORKER_URL);
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (lr: Float32Array) => void; reject: (error: Error) => void }>();

  constructor() {
    this.worker.on('message', (reply: DegradeReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiting?.reject(new Error(`degradation failed: ${reply.error}`));
      else waiting?.resolve(reply.lr);
    });
    this.worker.on('error', (error) => {
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
  }

  /** The LR batch [batch, 3, height / scale, width / scale] of an HR batch, patch b from seeds[b]. */
  degrade(hr: Float32Array, shape: [number, number, number, number], seeds: number[], scale: number, settings: DegradationSettings): Promise<Float32Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A copy goes to the worker: the HR batch is still needed here as the training target.
      this.worker.postMessage({ id, hr, shape, seeds, scale, settings } satisfies DegradeRequest);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
