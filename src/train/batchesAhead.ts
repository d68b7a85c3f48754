import type { BatchSource, TrainingBatch } from '../data/batchSource.js';
import type { PatchSamplerState } from '../data/patchSampler.js';

/**
 * Cuts the next step's batches while the current step trains in the worker thread, so data loading
 * stays off the critical path.
 */
export class BatchesAhead {
  private next: Promise<TrainingBatch[]>;
  private stateBeforeNext: PatchSamplerState;

  constructor(
    private readonly source: BatchSource,
    private readonly perStep: number,
  ) {
    this.stateBeforeNext = source.state;
    this.next = this.cut();
  }

  /**
   * The source's position before the batches cut ahead: what a checkpoint must store, so a resumed
   * run trains on those batches next instead of skipping them.
   */
  get checkpointState(): PatchSamplerState {
    return this.stateBeforeNext;
  }

  /** Starts `train` on this step's batches, cuts the next step's while it runs, and gives its result. */
  async train<T>(train: (batches: TrainingBatch[]) => Promise<T>): Promise<T> {
    const pending = train(await this.next);
    this.stateBeforeNext = this.source.state;
    this.next = this.cut();
    return pending;
  }

  private cut(): Promise<TrainingBatch[]> {
    return Promise.all(Array.from({ length: this.perStep }, () => this.source.next()));
  }
}
