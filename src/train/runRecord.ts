import { join } from 'node:path';
import { writeBufferAtomic } from '../io/atomicWrite.js';
import { appendLogLine, sampleFileName, writeLog, type RunPaths, type TrainLogLine } from '../runs/runFolderFormat.js';
import { renderRunPlot } from './runPlot.js';
import type { TrainConfig } from './trainConfig.js';

/**
 * What a run writes into its folder as it goes, besides checkpoints: its config, its log (kept in memory
 * too, for the plot), a sample grid per validation and the plot.
 */
export class RunRecord {
  private constructor(
    private readonly paths: RunPaths,
    private readonly gan: TrainConfig['gan'],
    private readonly lines: TrainLogLine[],
  ) {}

  /** Writes the config and the log so far (a resumed run's, cut back to its checkpoint) anew. */
  static async begin(paths: RunPaths, config: TrainConfig, log: readonly TrainLogLine[]): Promise<RunRecord> {
    await writeLog(paths.log, log);
    await writeBufferAtomic(paths.config, JSON.stringify(config, null, 2) + '\n');
    return new RunRecord(paths, config.gan, [...log]);
  }

  get log(): readonly TrainLogLine[] {
    return this.lines;
  }

  async append(line: TrainLogLine): Promise<void> {
    this.lines.push(line);
    await appendLogLine(this.paths.log, line);
  }

  async writeSample(step: number, grid: Uint8Array): Promise<void> {
    await writeBufferAtomic(join(this.paths.samples, sampleFileName(step)), grid);
  }

  async writePlot(): Promise<void> {
    await writeBufferAtomic(this.paths.plot, await renderRunPlot(this.lines, this.gan));
  }
}
