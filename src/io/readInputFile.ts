import { readFile } from 'node:fs/promises';
import { EnhanceError } from '../errors.js';
import { checkRegularFile, describeFileError } from './fileChecks.js';

/**
 * The whole of a file the user named, or a one-line error naming it: missing, a folder or a pipe
 * where a `kind` was expected, unreadable (permissions...), or larger than `maxBytes`.
 */
export async function readInputFile(path: string, kind = 'file', maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
  const size = await checkRegularFile(path, kind);
  if (size > maxBytes) throw new EnhanceError(`is ${size} bytes, more than enhance reads as a ${kind} (${maxBytes})`, { file: path });
  try {
    return await readFile(path);
  } catch (error) {
    throw new EnhanceError(describeFileError(error, kind), { file: path, cause: error });
  }
}
