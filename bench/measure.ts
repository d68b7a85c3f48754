/** Timing helpers for benchmarks: cases are interleaved round by round so machine noise hits all alike. */
export interface BenchCase {
  name: string;
  /** Megapixels processed per run, to report throughput. */
  megapixels: number;
  run: () => unknown | Promise<unknown>;
}

export interface BenchResult {
  name: string;
  medianSeconds: number;
  megapixelsPerSecond: number;
}

export async function measureInterleaved(cases: readonly BenchCase[], rounds: number): Promise<BenchResult[]> {
  const times = cases.map(() => [] as number[]);
  for (const c of cases) await c.run(); // warm-up (JIT, sharp's thread pool)
  for (let round = 0; round < rounds; round++) {
    for (const [index, c] of cases.entries()) {
      const start = process.hrtime.bigint();
      await c.run();
      times[index].push(Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return cases.map((c, index) => {
    const sorted = times[index].sort((a, b) => a - b);
    const medianSeconds = sorted[Math.floor(sorted.length / 2)];
    return { name: c.name, medianSeconds, megapixelsPerSecond: c.megapixels / medianSeconds };
  });
}

export function printResults(title: string, results: readonly BenchResult[], reference: string): void {
  const base = results.find((r) => r.name === reference);
  if (!base) throw new Error(`no reference case '${reference}'`);
  console.log(`\n${title}`);
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`${'case'.padEnd(width)}  median s   MPixel/s   time / ${reference}`);
  for (const r of results) {
    const ratio = r.medianSeconds / base.medianSeconds;
    console.log(`${r.name.padEnd(width)}  ${r.medianSeconds.toFixed(4).padStart(8)}  ${r.megapixelsPerSecond.toFixed(1).padStart(9)}   ${ratio.toFixed(2)}x`);
  }
}
