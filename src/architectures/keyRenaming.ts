/** How a weights file's parameter names map to our network's, both ways (errors name the file's key). */
export interface KeyRenaming {
  /** Our name for a file key, or undefined when the layout has no place for it. */
  toOurs(fileKey: string): string | undefined;
  /** The file's name for one of our parameters (itself when no rule covers it). */
  toFile(ourKey: string): string;
}

/** The layouts whose names are already ours (BasicSR and Real-ESRGAN wrote our networks' names). */
export const sameNames: KeyRenaming = { toOurs: (key) => key, toFile: (key) => key };

interface CompiledTemplate {
  pattern: RegExp;
  fill: (groups: Record<string, string>) => string;
}

const PLACEHOLDER = /\{(\w+)\}/g;

function compile(template: string): CompiledTemplate {
  const parts = template.split(PLACEHOLDER); // literal, name, literal, name, ..., literal
  const source = parts.map((part, i) => (i % 2 === 1 ? `(?<${part}>[^.]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return {
    pattern: new RegExp(`^${source}$`),
    fill: (groups) => parts.map((part, i) => (i % 2 === 1 ? groups[part] : part)).join(''),
  };
}

/**
 * A renaming written as pairs of templates, the file's name first:
 * ['model.1.sub.{block}.RDB{n}.conv{c}.0.{kind}', 'body.{block}.rdb{n}.conv{c}.{kind}']. A
 * {placeholder} stands for one dotted segment or the rest of one; the first pair that matches wins.
 */
export function templateRenaming(pairs: ReadonlyArray<readonly [file: string, ours: string]>): KeyRenaming {
  const compiled = pairs.map(([file, ours]) => ({ file: compile(file), ours: compile(ours) }));
  const translate = (key: string, from: 'file' | 'ours', to: 'file' | 'ours'): string | undefined => {
    for (const pair of compiled) {
      const match = pair[from].pattern.exec(key);
      if (match) return pair[to].fill(match.groups ?? {});
    }
    return undefined;
  };
  return {
    toOurs: (key) => translate(key, 'file', 'ours'),
    toFile: (key) => translate(key, 'ours', 'file') ?? key,
  };
}
