import { constants } from 'node:fs';
import { lstat, open, readdir, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isInside } from '../io/fileChecks.js';

/**
 * Reading run folders that may come from someone else's archive: nothing the server hands out may lie
 * outside the runs folder, however its links point, and nothing it opens may block (a FIFO named
 * `log.jsonl` would hang every request that reads it).
 */

/** O_NOFOLLOW and O_NONBLOCK where the platform has them (not on Windows, which has no FIFOs to open). */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The runs folder's real path, or undefined when it does not exist (no runs yet). */
export async function realRunsFolder(runsDir: string): Promise<string | undefined> {
  return realpath(runsDir).catch(() => undefined);
}

/**
 * The real path of `realRunsDir`/`name` when it is a folder strictly inside the runs folder, links
 * resolved (a link to a sibling run is fine; a link to anywhere else is not), else undefined.
 */
export async function confinedRunFolder(realRunsDir: string, name: string): Promise<string | undefined> {
  const real = await realpath(join(realRunsDir, name)).catch(() => undefined);
  if (real === undefined || real === realRunsDir || !isInside(realRunsDir, real)) return undefined;
  const info = await lstat(real).catch(() => undefined);
  return info?.isDirectory() ? real : undefined;
}

/**
 * `name` (a path relative to the run folder `runDir`, itself a real path) opened for reading when it is
 * a regular file and not a link, and its real path stays inside the run folder (a `samples` folder that
 * is a link to elsewhere counts as elsewhere); else undefined. The checks are made before opening, and
 * again on the open file, so a file swapped for a link or a FIFO in between is refused too.
 */
export async function openRunFile(runDir: string, name: string): Promise<FileHandle | undefined> {
  const path = join(runDir, name);
  const checked = await lstat(path).catch(() => undefined);
  if (!checked?.isFile()) return undefined;
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined || !isInside(runDir, real)) return undefined;
  const file = await open(path, OPEN_FLAGS).catch(() => undefined);
  if (!file) return undefined;
  const opened = await file.stat().catch(() => undefined);
  if (opened?.isFile() && opened.ino === checked.ino && opened.dev === checked.dev) return file;
  await file.close();
  return undefined;
}

/** The whole of a run's file (see `openRunFile`), or undefined when it is missing or refused. */
export async function readRunFile(runDir: string, name: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const file = await openRunFile(runDir, name);
  if (!file) return undefined;
  try {
    return new Uint8Array(await file.readFile());
  } catch {
    return undefined;
  } finally {
    await file.close();
  }
}

/** The names of the regular files (not links, not FIFOs) directly in the run's sub-folder `folder`, when it stays inside the run. */
export async function listRunFiles(runDir: string, folder: string): Promise<string[]> {
  const real = await realpath(join(runDir, folder)).catch(() => undefined);
  if (real === undefined || !isInside(runDir, real)) return [];
  const entries = await readdir(real, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/** The change time of a run's entry in milliseconds, the link itself for a link; 0 when it is missing. */
export async function runEntryTime(runDir: string, name: string): Promise<number> {
  return lstat(join(runDir, name)).then((info) => info.mtimeMs, () => 0);
}
