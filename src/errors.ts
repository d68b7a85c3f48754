import type { ZodError } from 'zod';

/**
 * The three kinds of failure, told apart by type (never by message text), mapped to exit codes once,
 * at the CLI boundary (`exitCodeOf`):
 * - `EnhanceError`: caused by what the user gave us (a path, a file, an option). One line, exit 2.
 * - `CancelledError`: the user stopped the work (Ctrl-C, an aborted signal). Exit 130.
 * - anything else: a bug in enhance. Exit 1, with the stack under ENHANCE_DEBUG=1; never blamed on
 *   the picture or the model file.
 */
export class EnhanceError extends Error {
  override readonly name: string = 'EnhanceError';
  /** The file the problem is about, when there is one; already part of `message`. */
  readonly file?: string;

  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.file = options.file;
  }
}

/** The work was stopped on request: not a failure of the input, not a bug. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';

  constructor(message = 'cancelled') {
    super(message);
  }
}

export function isEnhanceError(error: unknown): error is EnhanceError {
  return error instanceof EnhanceError;
}

export function isCancelledError(error: unknown): error is CancelledError {
  return error instanceof CancelledError;
}

/** Throw `CancelledError` if the signal was aborted: called between units of work (tiles, steps, pictures). */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Exit codes: 0 success, 1 a bug in enhance, 2 bad input or usage, 130 interrupted. */
export const EXIT_INTERNAL = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_CANCELLED = 130;

export function exitCodeOf(error: unknown): number {
  if (isEnhanceError(error)) return EXIT_BAD_INPUT;
  if (isCancelledError(error)) return EXIT_CANCELLED;
  return EXIT_INTERNAL;
}

/** The path of a zod issue as users write it: `model.options.features`, `data.train[0]`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/**
 * A zod failure as one line naming the field, the rule and the value given: the first issue (zod
 * reports every issue; one clear line beats ten). `prefix` says where the values came from (a
 * config file, an API's options).
 */
export function describeZodError(error: ZodError, given: unknown, prefix = ''): string {
  const issue = error.issues[0];
  const where = issuePath([...(prefix ? [prefix] : []), ...issue.path]);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `'${issuePath([...(where ? [where] : []), key])}'`).join(', ');
    return `unknown ${issue.keys.length > 1 ? 'keys' : 'key'} ${keys}`;
  }
  const value = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), given);
  const shown = value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 80) ?? String(value);
  return `${where ? `'${where}' ` : ''}${issue.message.replace(/^Invalid input: /, '')} (got ${shown})`;
}
