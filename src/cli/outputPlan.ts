import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { EnhanceError } from '../errors.js';
import { listImageFiles } from '../data/imageFolder.js';
import { formatFromPath, type OutputFormat } from '../image/formats.js';

/** One input file and where its result goes. */
export interface PlannedOutput {
  input: string;
  output: string;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The path with symlinks resolved when it exists, so two spellings of one file compare equal. */
async function canonical(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return join(await canonical(dirname(resolve(path))).catch(() => dirname(resolve(path))), basename(path));
  }
}

const EXTENSION_OF_FORMAT: Record<OutputFormat, string> = { png: '.png', jpg: '.jpg', webp: '.webp', gif: '.gif', tiff: '.tif', avif: '.avif' };

/** The extension to write for an input: the requested format's, else its own when we can write that format, else .png. */
function outputExtension(input: string, format: OutputFormat | undefined): string {
  if (format) return EXTENSION_OF_FORMAT[format];
  const extension = extname(input);
  return formatFromPath(input) ? extension : '.png';
}

/**
 * Decide the output path of every input, before any work starts, and refuse plans that would
 * overwrite an input or write two results to one file.
 * - inputs may be files or folders (searched recursively; sub-folders are mirrored under `output`);
 * - `output` is a file when there is one input file and it has an image extension, else a folder;
 * - without `output`, each result goes next to its input as `<name><suffix><ext>`;
 * - `format` replaces the extension of outputs named from inputs.
 */
export async function planOutputs(inputs: readonly string[], output: string | undefined, suffix: string, format?: OutputFormat): Promise<PlannedOutput[]> {
  const files: { path: string; relativePath: string }[] = [];
  for (const input of inputs) {
    if (await isDirectory(input)) files.push(...(await listImageFiles(input)));
    else files.push({ path: input, relativePath: basename(input) });
  }

  let outputIsFile = false;
  if (output !== undefined && !(await isDirectory(output)) && extname(output) !== '') {
    if (!formatFromPath(output)) {
      throw new EnhanceError('unknown output format: use a .png, .jpg, .webp, .gif, .tif or .avif extension', { file: output });
    }
    if (files.length > 1) throw new EnhanceError(`is a file name, but there are ${files.length} inputs: give a folder with -o`, { file: output });
    outputIsFile = true;
  }

  const plan = files.map(({ path, relativePath }): PlannedOutput => {
    const stem = relativePath.slice(0, relativePath.length - extname(relativePath).length);
    if (outputIsFile && output !== undefined) return { input: path, output };
    if (output === undefined) return { input: path, output: join(dirname(path), `${basename(stem)}${suffix}${outputExtension(path, format)}`) };
    return { input: path, output: join(output, `${stem}${outputExtension(path, format)}`) };
  });

  const inputPaths = new Set(await Promise.all(plan.map((p) => canonical(p.input))));
  const seen = new Map<string, string>();
  for (const entry of plan) {
    const target = await canonical(entry.output);
    if (inputPaths.has(target)) throw new EnhanceError('refusing to overwrite an input image; choose another output (-o)', { file: entry.output });
    const other = seen.get(target);
    if (other) throw new EnhanceError(`would be written twice, from ${other} and ${entry.input}`, { file: entry.output });
    seen.set(target, entry.input);
  }
  return plan;
}
