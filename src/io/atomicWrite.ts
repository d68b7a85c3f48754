import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
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

/** Write `path` atomically: produce the bytes at a temporary name in the same folder, then rename. */
export async function writeFileAtomic(path: string, produce: (temporaryPath: string) => Promise<void>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryPathFor(path);
  pendingTemporaries.add(temporary);
  try {
    await produce(temporary);
    await rename(temporary, path);
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

/** Synchronous, so it can run in a signal handler just before the process exits. */
export function removePendingTemporaries(): void {
  for (const temporary of pendingTemporaries) rmSync(temporary, { force: true });
  pendingTemporaries.clear();
}
