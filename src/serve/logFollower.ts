import type { FileHandle } from 'node:fs/promises';
import { completeLines } from '../runs/runFolderFormat.js';

/** What a log gained since the last look: its new complete lines, each with the byte offset just after it. */
export interface LogGrowth {
  /** The file was rewritten (a resumed run rewrites it, a new run in the same folder starts it over): lines start from its beginning again. */
  reset: boolean;
  lines: { text: string; end: number }[];
}

/** How many bytes before the read position are kept to notice that the file was rewritten underneath. */
const TAIL_BYTES = 256;

const NO_BYTES = new Uint8Array(0);

/** Opens the log for reading, or gives undefined when it is not there (not written yet, removed, or refused). */
export type OpenLog = () => Promise<FileHandle | undefined>;

async function readFrom(openLog: OpenLog, start: number): Promise<Uint8Array> {
  const file = await openLog();
  if (!file) return NO_BYTES; // an empty log
  try {
    const { size } = await file.stat();
    if (size <= start) return NO_BYTES;
    const bytes = new Uint8Array(size - start);
    const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Follows a growing JSONL log by byte offset, the way `tail -f` does, handing out complete lines only.
 * A rewrite is noticed when the file shrank below the offset or the bytes just before the offset changed;
 * the follower then starts over from the beginning and says so (`reset`).
 */
export class LogFollower {
  private constructor(
    private readonly openLog: OpenLog,
    private offset: number,
    /** The bytes just before `offset`, as they were when read. */
    private tail: Uint8Array,
    private pendingReset: boolean,
  ) {}

  /**
   * Start following the log `openLog` opens (each poll opens it anew) at byte `from` (the end of a line
   * the client already has), or at the end of the log's complete lines when `from` is not given. A `from`
   * that is not a line end of the current file (the file was rewritten since) makes the first `poll` a reset.
   */
  static async start(openLog: OpenLog, from?: number): Promise<LogFollower> {
    const bytes = await readFrom(openLog, 0);
    const { end } = completeLines(bytes);
    const offset = from ?? end;
    const atLineEnd = offset === 0 || (offset <= end && bytes[offset - 1] === 0x0a);
    if (!atLineEnd) return new LogFollower(openLog, 0, NO_BYTES, true);
    return new LogFollower(openLog, offset, bytes.slice(Math.max(0, offset - TAIL_BYTES), offset), false);
  }

  /** The complete lines written since the last poll. */
  async poll(): Promise<LogGrowth> {
    const start = this.offset - this.tail.length;
    let bytes = await readFrom(this.openLog, start);
    let reset = this.pendingReset;
    this.pendingReset = false;
    if (!sameBytes(bytes.subarray(0, this.tail.length), this.tail)) {
      reset = true;
      this.offset = 0;
      this.tail = NO_BYTES;
      bytes = await readFrom(this.openLog, 0);
    }
    const fresh = bytes.subarray(this.tail.length);
    const { lines, end } = completeLines(fresh);
    const growth: LogGrowth = { reset, lines: [] };
    let lineEnd = this.offset;
    const encoder = new TextEncoder();
    for (const text of lines) {
      lineEnd += encoder.encode(text).length + 1;
      growth.lines.push({ text, end: lineEnd });
    }
    if (end > 0) {
      const seen = bytes.subarray(0, this.tail.length + end);
      this.tail = seen.slice(Math.max(0, seen.length - TAIL_BYTES));
      this.offset += end;
    }
    return growth;
  }
}
