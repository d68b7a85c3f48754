import { EnhanceError } from '../errors.js';

/**
 * A problem with the job itself (its picture or video, its model, its options): retrying cannot help,
 * and its message names the file. Other errors (a worker's machine, Redis) are worth another attempt.
 */
export class JobInputError extends EnhanceError {
  override readonly name = 'JobInputError';
}
