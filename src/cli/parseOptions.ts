import { InvalidArgumentError } from 'commander';

/** A commander argument parser accepting one of the given integers. */
export function oneOfIntegers(allowed: readonly number[]): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!allowed.includes(parsed)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}`);
    return parsed;
  };
}

export function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('must be a whole number >= 0');
  return parsed;
}

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return parsed;
}

/** A comma-separated list whose items must all be in `allowed`. */
export function listOf<T extends string>(allowed: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);
    const unknown = items.filter((item) => !allowed.includes(item as T));
    if (unknown.length > 0 || items.length === 0) throw new InvalidArgumentError(`must be a comma-separated list of ${allowed.join(', ')}`);
    return items as T[];
  };
}
