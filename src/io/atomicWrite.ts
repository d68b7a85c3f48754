import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Files written so far under a temporary name. A reader never sees a half-written output: data goes to
 * `<dir>/.<name>.tmp-<random>` and is renamed into place only when complete. If the process is stopped
 * (Ctrl-C) those temporaries are removed by `removePendingTemporaries`.
 */
const pendingTemporaries = new Set<string>();

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Flush a file's (or a folder's) data to the disk. Before the rename, so a power cut cannot leave an
 * empty file under the final name (ext4 and xfs may order the rename before the data); after it, the
 * folder, so the new name itself survives. Folders that cannot be opened for sync are skipped.
 */
async function syncToDisk(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return;
  }
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw error; // file systems without fsync on folders
  } finally {
    await handle.close();
  }
}

/** Write `path` atomically: produce the bytes at a temporary name in the same folder, then rename. */
export async function writeFileAtomic(path: string, produce: (temporaryPath: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  pendingTemporaries.add(temporary);
  try {
    await produce(temporary);
    await syncToDisk(temporary);
    await rename(temporary, path);
    await syncToDisk(dirname(path));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    pendingTemporaries.delete(temporary);
  }
}

export function writeBufferAtomic(path: string, data: Uint8Array | string): Promise<void> {
  return writeFileAtomic(path, (temporary) => writeFile(temporary, data));
}

/** Folders of work in progress that must not outlive an abrupt exit (a video's segments without --resume). */
const pendingFolders = new Set<string>();

/** Remove `dir` with everything in it if the process is stopped at once (a second Ctrl-C); `forget` when done with it. */
export function removeFolderOnExit(dir: string): { forget: () => void } {
  pendingFolders.add(dir);
  return { forget: () => pendingFolders.delete(dir) };
}

/** Synchronous, so it can run in a signal handler just before the process exits. */
export function removePendingTemporaries(): void {
  for (const temporary of pendingTemporaries) rmSync(temporary, { force: true });
  pendingTemporaries.clear();
  for (const dir of pendingFolders) rmSync(dir, { recursive: true, force: true });
  pendingFolders.clear();
}

const TEMPORARY_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]+$/;

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

/**
 * Remove the temporaries that a killed process left in `folder` (SIGKILL or a power cut between
 * writing and renaming): those whose writer no longer runs. Returns the names removed.
 */
export async function removeStaleTemporaries(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const stale = names.filter((name) => {
    const match = TEMPORARY_NAME.exec(name);
    return match !== null && Number(match[1]) !== process.pid && !processIsAlive(Number(match[1]));
  });
  await Promise.all(stale.map((name) => rm(join(folder, name), { force: true })));
  return stale;
}
