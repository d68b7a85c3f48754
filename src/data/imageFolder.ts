import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { EnhanceError } from '../errors.js';
import { isImagePath } from '../image/formats.js';

/** An image file found under a folder, with its path relative to that folder (sub-folders included). */
export interface ImageFile {
  readonly path: string;
  readonly relativePath: string;
}

/** Every image file under `folder`, recursively, in a stable (sorted) order. */
export async function listImageFiles(folder: string): Promise<ImageFile[]> {
  let info;
  try {
    info = await stat(folder);
  } catch {
    throw new EnhanceError('no such folder', { file: folder });
  }
  if (!info.isDirectory()) throw new EnhanceError('is not a folder', { file: folder });

  const files: ImageFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && isImagePath(entry.name)) files.push({ path, relativePath: relative(folder, path) });
    }
  };
  await walk(folder);
  if (files.length === 0) throw new EnhanceError('contains no images (.png, .jpg, .webp, .tif, .avif, .bmp)', { file: folder });
  return files;
}
