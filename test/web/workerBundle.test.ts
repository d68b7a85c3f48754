import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryBudget as pageMemoryBudget, PAGE_MEMORY_BUDGET_MB } from '../../web/src/pageMemoryBudget.js';
import { repoRoot } from '../helpers.js';

describe("the upscale worker's bundle (npm run build)", () => {
  const assets = join(repoRoot, 'web/dist/assets');
  // The source map lists every bundled file, relative to the bundle: here, relative to the repository.
  const sources = (JSON.parse(readFileSync(join(assets, 'upscaleWorker.js.map'), 'utf8')).sources as string[]).map((s) => relative(repoRoot, resolve(assets, s)));

  it("plans with the page's memory budget in place of Node's, which reads /proc", () => {
    expect(sources.some((s) => s === 'web/src/pageMemoryBudget.ts')).toBe(true);
    expect(sources.some((s) => s === 'src/upscale/memoryBudget.ts')).toBe(false);
  });

  it('resizes with the WebAssembly kernels bundled as bytes, not read from files as in Node', () => {
    expect(sources).toContain('web/src/pageWasmKernels.ts');
    expect(sources).not.toContain('src/io/wasmKernels.ts');
    // esbuild's binary loader writes the module's bytes into the bundle as base64.
    const bundle = readFileSync(join(assets, 'upscaleWorker.js'), 'utf8');
    expect(bundle).toContain(readFileSync(join(repoRoot, 'build/resample.wasm')).toString('base64'));
    expect(sources).toContain('src/upscale/enlargement.ts');
  });

  it('runs models through the shared ModelRunner and holds none of the Node runtime', () => {
    expect(sources.some((s) => s === 'src/upscale/modelRunner.ts')).toBe(true);
    for (const nodeOnly of ['threadedBackend.ts', 'engineThread.ts', 'runtime/session.ts']) expect(sources.filter((s) => s.endsWith(nodeOnly))).toEqual([]);
  });

  it('gives 768 MB when no budget is given, and the given budget otherwise', () => {
    expect(pageMemoryBudget()).toEqual({ bytes: PAGE_MEMORY_BUDGET_MB * 2 ** 20, source: 'machine' });
    expect(PAGE_MEMORY_BUDGET_MB).toBe(768);
    expect(pageMemoryBudget(100)).toEqual({ bytes: 100 * 2 ** 20, source: 'given' });
  });
});
