import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import type { CliResult, MeasuredCliResult } from '../helpers.js';

/**
 * The bar every hostile or broken input must clear: exit code 2, exactly one line on stderr, which
 * names the offending file, and no output file left behind.
 */
export function expectOneLineRefusal(result: CliResult, file: string, output?: string): string {
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split('\n').filter((line) => line.length > 0);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^enhance: /);
  expect(lines[0]).toContain(file);
  expect(lines[0]).not.toMatch(/internal error|    at |TypeError|RangeError/);
  if (output !== undefined) expect(existsSync(output)).toBe(false);
  return lines[0];
}

export const MAX_RSS_BYTES = 512 * 1024 ** 2;

/** Bounded work: under 512 MB of memory and within `seconds`. */
export function expectBounded(result: MeasuredCliResult, seconds: number): void {
  expect(result.peakRssBytes).toBeGreaterThan(0); // measured at all
  expect(result.peakRssBytes).toBeLessThan(MAX_RSS_BYTES);
  expect(result.seconds).toBeLessThan(seconds);
}
