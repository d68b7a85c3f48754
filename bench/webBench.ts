/**
 * `npm run bench -- web`: a 256x256 picture enlarged x4 with the default model in the web app (headless
 * Chromium, onnxruntime-web on WebAssembly threads, the page's worker) next to the CLI on the same
 * picture, round by round in the same run. Two comparisons:
 * - what a user waits for: picking the file on an open page until the result is shown, vs the whole
 *   `enhance upscale in.png -o out.png` command (process start and model load included);
 * - the upscale alone: the worker's time for the picture vs the library's in-process time
 *   (bench/upscaleCase.ts: model loaded and warmed up, median of runs).
 * Needs the web app built (`npm run build`) and Chromium (/usr/bin/chromium or $CHROMIUM).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { startWebServer } from '../src/serve/webServer.js';
import { launchChromium } from '../test/web/browser.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function timeCli(input: string, output: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(repo, 'bin/enhance.js'), 'upscale', input, '-o', output], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`enhance upscale failed: ${result.stderr}`);
  return performance.now() - started;
}

function timeLibrary(input: string): number {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'bench/upscaleCase.ts'), 'default', input, '3'], { encoding: 'utf8', cwd: repo });
  if (result.status !== 0) throw new Error(`upscaleCase failed: ${result.stderr}`);
  return (JSON.parse(result.stdout.trim().split('\n').pop()!) as { msMedian: number }).msMedian;
}

export async function webBench(datasets: string, rounds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'enhance-web-bench-'));
  const input = join(dir, 'baboon_256.png');
  await sharp(join(datasets, 'Set14/hr/baboon.png')).extract({ left: 100, top: 100, width: 256, height: 256 }).png().toFile(input);
  const server = await startWebServer({ port: 0, host: '127.0.0.1', runsDir: join(dir, 'runs') });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('#model-status', { hasText: /^Model:/ }).waitFor({ timeout: 60_000 });
    await page.selectOption('#tile', 'whole');
    const backend = await page.locator('#model-status').textContent();
    const times = { pageWall: [] as number[], worker: [] as number[], cliWall: [] as number[], library: [] as number[] };
    for (let round = 0; round <= rounds; round++) {
      const started = performance.now();
      await page.setInputFiles('#file-input', input);
      const job = page.locator('li.job').nth(round);
      await job.locator('canvas').first().waitFor({ timeout: 300_000 });
      const pageWall = performance.now() - started;
      const worker = 1000 * Number(await job.getAttribute('data-seconds'));
      const cliWall = timeCli(input, join(dir, `cli_${round}.png`));
      const library = timeLibrary(input);
      if (round === 0) continue; // warm-up: the first picture compiles the page's WebAssembly paths
      times.pageWall.push(pageWall);
      times.worker.push(worker);
      times.cliWall.push(cliWall);
      times.library.push(library);
      console.log(JSON.stringify({ round, pageWallMs: Math.round(pageWall), workerMs: Math.round(worker), cliWallMs: Math.round(cliWall), libraryMs: library }));
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v))])) as Record<keyof typeof times, number>;
    console.log(
      JSON.stringify({
        bench: 'web',
        picture: '256x256 -> 1024x1024, default x4 model',
        browser: backend,
        medianMs: m,
        ratioPageToCli: +(m.pageWall / m.cliWall).toFixed(2),
        ratioWorkerToLibrary: +(m.worker / m.library).toFixed(2),
      }),
    );
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
