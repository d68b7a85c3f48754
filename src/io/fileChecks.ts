import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { EnhanceError } from '../errors.js';

/** The one-line problem for a failed file-system call on a file the user named. */
export function describeFileError(error: unknown, kind: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return `is a folder, not a ${kind}`;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'is a symbolic link loop';
  return `cannot read (${code ?? String(error)})`;
}

/**
 * Check that `path` is a regular file this process may read, before opening it: a FIFO or a device
 * would block or never end, a folder fails late with EISDIR, and `stat` alone succeeds without read
 * permission. Returns its size in bytes.
 */
export async function checkRegularFile(path: string, kind = 'file'): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new EnhanceError(describeFileError(error, kind), { file: path, cause: error });
  }
  if (info.isDirectory()) throw new EnhanceError(`is a folder, not a ${kind}`, { file: path });
  if (!info.isFile()) throw new EnhanceError(`is not a regular file (a pipe, socket or device), not a ${kind}`, { file: path });
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    throw new EnhanceError(describeFileError(error, kind), { file: path, cause: error });
  }
  return info.size;
}

/** True when `inner` is `outer` or inside it (both absolute, resolved paths). */
export function isInside(outer: string, inner: string): boolean {
  const path = relative(outer, inner);
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
}

/**
 * A file that another file names (a TF.js weight shard, ONNX external data), confined to `folder`:
 * the name must be relative, and its real path (links resolved) must stay inside the folder's real
 * path and be a regular file of at most `maxBytes`. A model file may never make enhance read
 * anything else the user can read. `referrer` is the file that named it, for the message.
 */
export async function confinedFile(folder: string, name: string, referrer: string, options: { kind: string; maxBytes: number }): Promise<{ path: string; size: number }> {
  const refuse = (problem: string): never => {
    throw new EnhanceError(`${options.kind} '${name}' ${problem}`, { file: referrer });
  };
  if (name.length === 0 || name.includes('\0')) refuse('is not a file name');
  if (isAbsolute(name) || /^[a-zA-Z]:[\\/]/.test(name)) refuse("is an absolute path; a model's files must sit in its own folder");
  const path = resolve(folder, name);
  let real: string;
  let realFolder: string;
  try {
    realFolder = await realpath(folder);
    real = await realpath(path);
  } catch (error) {
    return refuse((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : describeFileError(error, 'file'));
  }
  if (!isInside(realFolder, real)) refuse(`leads outside the model's folder (${folder}); refused`);
  const size = await checkRegularFile(real, options.kind).catch((error: unknown) => refuse((error as Error).message.replace(`${real}: `, '')));
  if (size > options.maxBytes) refuse(`is ${size} bytes, more than the ${options.maxBytes} it should hold`);
  return { path: real, size };
}
