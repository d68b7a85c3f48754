import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';

/** The share of the machine's available memory an upscale plans to use when no budget is given. */
const AVAILABLE_SHARE = 0.5;

/** A number of bytes from a file such as /proc/meminfo or a cgroup limit, or undefined. */
function readBytes(path: string, parse: (text: string) => number | undefined): number | undefined {
  try {
    const value = parse(readFileSync(path, 'utf8'));
    return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The memory this process may use without pushing the machine into swap: MemAvailable (free memory
 * plus what the kernel can reclaim; `os.freemem()` counts the page cache as used and would plan
 * small tiles on a busy file server), lowered to what a container's cgroup limit leaves.
 */
export function availableMemoryBytes(): number {
  const available = readBytes('/proc/meminfo', (text) => {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  }) ?? freemem();
  const limit = readBytes('/sys/fs/cgroup/memory.max', (text) => (text.trim() === 'max' ? undefined : Number(text)));
  const used = readBytes('/sys/fs/cgroup/memory.current', (text) => Number(text)) ?? 0;
  return limit === undefined ? available : Math.min(available, Math.max(0, limit - used));
}

/** Where an upscale's tile budget came from, for `--verbose`. */
export interface MemoryBudget {
  bytes: number;
  source: 'given' | 'machine';
}

/**
 * The working memory for the tiles: `givenMB` when set (`--memory`), else half of what the machine has
 * available now (the other half is the safety margin: the decoded picture, the output raster, other
 * processes), at least 256 MB.
 */
export function memoryBudget(givenMB?: number): MemoryBudget {
  if (givenMB !== undefined) return { bytes: givenMB * 2 ** 20, source: 'given' };
  return { bytes: Math.max(256 * 2 ** 20, Math.floor(AVAILABLE_SHARE * availableMemoryBytes())), source: 'machine' };
}
