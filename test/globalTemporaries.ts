import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * `npm test` leaves nothing in the system's temporary directory: its entries are listed before the
 * suite and compared after it (tests remove what `temporaryDirectory` made; onnxruntime's telemetry,
 * which used to leave a `mat-debug-<pid>.log` per process, is off). A new entry fails the run.
 */
let before: Set<string>;

export function setup(): void {
  before = new Set(readdirSync(tmpdir()));
}

/** vitest's own working folder (`join(tmpdir(), nanoid())`), which vitest removes after this teardown. */
const VITEST_WORK_FOLDER = /^[A-Za-z0-9_-]{21}$/;

export function teardown(): void {
  const left = readdirSync(tmpdir()).filter((name) => !before.has(name) && !VITEST_WORK_FOLDER.test(name));
  if (left.length === 0) return;
  // vitest reports an error thrown here but still exits 0, so the exit code is set as well.
  process.exitCode = 1;
  throw new Error(`the test suite left ${left.length} new entries in ${tmpdir()}: ${left.slice(0, 10).join(', ')}`);
}
