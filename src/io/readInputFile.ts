import { readFile } from 'node:fs/promises';
import { EnhanceError } from '../errors.js';

/**
 * The whole of a file the user named, or a one-line error naming it: missing, a folder where a
 * `kind` was expected, or unreadable (permissions...).
 */
export async function readInputFile(path: string, kind = 'file'): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? `is a folder, not a ${kind}` : `cannot read (${code ?? String(error)})`;
    throw new EnhanceError(problem, { file: path, cause: error });
  }
}
