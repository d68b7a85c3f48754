import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { EnhanceError } from '../errors.js';
import { resolveModelPath } from '../models/modelFile.js';
import { shippedModelFile } from '../models/shippedModels.js';

/**
 * The models a service answers for, by name: the shipped ones ('photo-x4', 'default-x4', ...) and the
 * files its operator listed with --models (named by their file name without extension). A client names
 * a model; it never gives a path, so a request cannot make the server read a file of its choosing.
 */
export class ModelCatalogue {
  private readonly files = new Map<string, string>();

  constructor(modelFiles: readonly string[] = []) {
    for (const file of modelFiles) {
      if (!existsSync(file)) throw new EnhanceError('no such model file', { file });
      const name = basename(file, extname(file));
      if (this.files.has(name)) throw new EnhanceError(`two --models files are named '${name}'`, { file });
      this.files.set(name, resolve(file));
    }
  }

  /** The file a model name stands for, or undefined for a name the service does not know. */
  pathOf(name: string): string | undefined {
    const listed = this.files.get(name);
    if (listed) return listed;
    if (!/^[\w.-]+$/.test(name)) return undefined;
    if (shippedModelFile(name)) return shippedModelFile(name);
    if (/^default-x\d(-gan)?$/.test(name)) {
      try {
        return resolveModelPath(name);
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** The names of the listed files, for messages and the API's model list. */
  listedNames(): string[] {
    return [...this.files.keys()];
  }
}
