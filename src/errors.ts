/**
 * An error caused by what the user gave us (a path, a file, an option), as opposed to a bug.
 * The CLI prints its message as one line and exits with code 2; it never shows a stack trace.
 */
export class EnhanceError extends Error {
  override readonly name = 'EnhanceError';
  /** The file the problem is about, when there is one; already part of `message`. */
  readonly file?: string;

  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(options.file ? `${options.file}: ${message}` : message, { cause: options.cause });
    this.file = options.file;
  }
}

export function isEnhanceError(error: unknown): error is EnhanceError {
  return error instanceof EnhanceError;
}
