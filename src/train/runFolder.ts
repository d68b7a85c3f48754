import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTemporaries } from '../io/atomicWrite.js';
import { runPaths } from '../runs/runFolderFormat.js';

/**
 * A run's `--out` folder and what it held before this run touched it. A run that fails before its
 * first checkpoint has nothing to resume from, but its config.json and log.jsonl would make
 * `enhance serve` list it as a run: `removeWhatWasMade` takes away exactly what this run added,
 * never a folder or file that was there before.
 */
export class RunFolder {
  private constructor(
    readonly path: string,
    /** The outermost folder this run made (`mkdir -p` may make several), if it made any. */
    private readonly made: string | undefined,
    private readonly entriesBefore: ReadonlySet<string>,
  ) {}

  /** Make the folder and its `samples/` (where missing), remembering what was already there. */
  static async prepare(path: string): Promise<RunFolder> {
    const made = await mkdir(path, { recursive: true });
    const entriesBefore = new Set(made === undefined ? await readdir(path) : []);
    await mkdir(runPaths(path).samples, { recursive: true });
    return new RunFolder(path, made, entriesBefore);
  }

  /**
   * Removes the checkpoints and sample grids a killed run was writing when it died (each can be
   * hundreds of MB), and says how many there were.
   */
  async removeTemporariesOfKilledRuns(): Promise<number> {
    const removed = [...(await removeStaleTemporaries(this.path)), ...(await removeStaleTemporaries(runPaths(this.path).samples))];
    return removed.length;
  }

  async removeWhatWasMade(): Promise<void> {
    if (this.made !== undefined) {
      await rm(this.made, { recursive: true, force: true });
      return;
    }
    const added = (await readdir(this.path)).filter((name) => !this.entriesBefore.has(name));
    await Promise.all(added.map((name) => rm(join(this.path, name), { recursive: true, force: true })));
  }
}
