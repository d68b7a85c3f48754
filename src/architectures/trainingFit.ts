import type { ArchitectureMisfit } from './architecture.js';

export const isPowerOfTwo = (n: number): boolean => Number.isInteger(Math.log2(n));

/** Pictures of side `side` through `halvings` stride-2 levels and back keep their size only when divisible. */
export function patchMisfit(side: number, halvings: number, what: string, lrPatch: number): ArchitectureMisfit | undefined {
  const multiple = 2 ** halvings;
  if (side % multiple === 0) return undefined;
  return { key: 'data.lr_patch', reason: `${lrPatch} does not suit ${what}: the ${side} px side it works on must be a multiple of ${multiple}` };
}

/** Networks that upsample in x2 stages train at powers of two only. */
export function powerOfTwoMisfit(name: string, scale: number): ArchitectureMisfit | undefined {
  return isPowerOfTwo(scale) ? undefined : { key: 'scale', reason: `${scale}: ${name} upsamples in x2 stages, so it trains at x2, x4 or x8` };
}
