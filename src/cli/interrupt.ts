/**
 * Ctrl-C handling shared by the commands. By default the process stops at once (outputs are written
 * atomically, so nothing partial is left). A command doing long work can ask to be told instead, to
 * finish its current step and save a checkpoint; a second Ctrl-C still stops at once.
 */
let handler: (() => void) | undefined;

export function onInterrupt(callback: () => void): void {
  handler = callback;
}

/** Returns true when a command took the interrupt (and the process should keep running). */
export function takeInterrupt(): boolean {
  if (!handler) return false;
  const callback = handler;
  handler = undefined;
  callback();
  return true;
}
