import type { memoryBudget as machineMemoryBudget, MemoryBudget } from '../../src/upscale/memoryBudget.js';

/**
 * The page's tile budget when none is given, MB: a browser does not say how much memory is free, and
 * a worker's WebAssembly memory (4 GB at most) holds the picture as well as the model's runs.
 */
export const PAGE_MEMORY_BUDGET_MB = 768;

/**
 * The page's stand-in for src/upscale/memoryBudget.ts, which reads /proc and the cgroup limits:
 * scripts/buildWeb.mjs bundles this module in its place, so the shared upscale code asks one function
 * for "the machine's" budget on both platforms.
 */
export const memoryBudget: typeof machineMemoryBudget = (givenMB?: number): MemoryBudget =>
  givenMB !== undefined ? { bytes: givenMB * 2 ** 20, source: 'given' } : { bytes: PAGE_MEMORY_BUDGET_MB * 2 ** 20, source: 'machine' };
