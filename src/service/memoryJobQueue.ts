import { EventEmitter } from 'node:events';
import { isCancelledError } from '../errors.js';
import type { BlobStore } from './blobStore.js';
import type { JobStatus, UpscaleJobData } from './jobData.js';
import { stillAnswers, type JobQueue } from './jobQueue.js';
import type { ModelCatalogue } from './modelCatalogue.js';
import { runUpscaleJob } from './runUpscaleJob.js';

interface MemoryJob {
  data: UpscaleJobData;
  status: JobStatus;
  controller?: AbortController;
  expiry?: NodeJS.Timeout;
}

export interface MemoryQueueOptions {
  store: BlobStore;
  catalogue: ModelCatalogue;
  /** Jobs run at once (default 1: a model already uses every core). */
  concurrency?: number;
  /** How long finished jobs and their results are kept. */
  resultTtlSeconds: number;
  threads?: number;
  /** Tile side for every job (default: from the memory budget). */
  tile?: number;
}

/** The queue of one machine: jobs run in this process, in order, `concurrency` at a time. */
export class MemoryJobQueue implements JobQueue {
  private readonly jobs = new Map<string, MemoryJob>();
  private readonly pending: string[] = [];
  private readonly events = new EventEmitter();
  private running = 0;
  private closed = false;

  constructor(private readonly options: MemoryQueueOptions) {
    this.events.setMaxListeners(0);
  }

  async submit(id: string, data: UpscaleJobData): Promise<{ status: JobStatus; duplicate: boolean }> {
    const known = this.jobs.get(id);
    if (known && stillAnswers(known.status)) return { status: { ...known.status }, duplicate: true };
    clearTimeout(known?.expiry);
    const job: MemoryJob = { data, status: { id, state: 'queued', progress: 0, attempts: 0 } };
    this.jobs.set(id, job);
    this.pending.push(id);
    this.pump();
    return { status: { ...job.status }, duplicate: false };
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const job = this.jobs.get(id);
    return job && { ...job.status };
  }

  async result(id: string): Promise<Buffer | undefined> {
    const job = this.jobs.get(id);
    if (job?.status.state !== 'done' || !('blob' in job.data.output)) return undefined;
    return this.options.store.get(job.data.output.blob);
  }

  async cancel(id: string): Promise<JobStatus | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    if (job.status.state === 'queued') {
      this.pending.splice(this.pending.indexOf(id), 1);
      this.finish(id, job, { state: 'cancelled' });
    } else if (job.status.state === 'running') {
      job.controller?.abort();
    }
    return { ...job.status };
  }

  watch(id: string, listener: (status: JobStatus) => void): () => void {
    const forward = (status: JobStatus) => status.id === id && listener(status);
    this.events.on('status', forward);
    return () => this.events.off('status', forward);
  }

  async waiting(): Promise<number> {
    return this.pending.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.jobs.values()) {
      job.controller?.abort();
      clearTimeout(job.expiry);
    }
  }

  private update(job: MemoryJob, change: Partial<JobStatus>): void {
    Object.assign(job.status, change);
    this.events.emit('status', { ...job.status });
  }

  private finish(id: string, job: MemoryJob, change: Partial<JobStatus>): void {
    this.update(job, change);
    job.expiry = setTimeout(() => this.jobs.get(id) === job && this.jobs.delete(id), this.options.resultTtlSeconds * 1000);
    job.expiry.unref();
  }

  private pump(): void {
    while (!this.closed && this.running < (this.options.concurrency ?? 1) && this.pending.length > 0) {
      const id = this.pending.shift()!;
      const job = this.jobs.get(id)!;
      this.running++;
      void this.run(id, job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(id: string, job: MemoryJob): Promise<void> {
    job.controller = new AbortController();
    this.update(job, { state: 'running', attempts: job.status.attempts + 1 });
    let lastProgress = 0;
    try {
      const { output, frames } = await runUpscaleJob(job.data, {
        store: this.options.store,
        catalogue: this.options.catalogue,
        resultTtlSeconds: this.options.resultTtlSeconds,
        threads: this.options.threads,
        tile: this.options.tile,
        signal: job.controller.signal,
        onProgress: (fraction) => {
          // Told at most every 1 %: a big picture has thousands of tiles.
          if (fraction - lastProgress >= 0.01 || fraction === 1) this.update(job, { progress: (lastProgress = fraction) });
        },
      });
      this.finish(id, job, { state: 'done', progress: 1, output, frames });
    } catch (error) {
      if (isCancelledError(error)) this.finish(id, job, { state: 'cancelled' });
      else this.finish(id, job, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
    } finally {
      job.controller = undefined;
    }
  }
}
