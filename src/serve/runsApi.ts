import { readdir } from 'node:fs/promises';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { LogFollower } from './logFollower.js';
import { confinedRunFolder, listRunFiles, openRunFile, readRunFile, realRunsFolder, runEntryTime } from './runFiles.js';
import { completeLines, isRunListing, isSampleFileName, parseLog, parseLogLine, RUN_FILES, type TrainLogLine } from '../runs/runFolderFormat.js';
import { summarizeRun, type RunSummary } from './runSummary.js';

/** How often a followed run's log and samples folder are looked at. */
const POLL_MILLISECONDS = 500;

const NO_BYTES = new Uint8Array(0);

/** A run is a direct sub-folder of the runs folder: one path segment, not hidden, not `..`. */
function isRunName(name: string): boolean {
  return name.length > 0 && !name.startsWith('.') && !/[/\\\0]/.test(name);
}

/** The run's config, or undefined when it is missing, refused or not a JSON object. */
async function readConfig(runDir: string): Promise<Record<string, unknown> | undefined> {
  const bytes = await readRunFile(runDir, RUN_FILES.config);
  if (!bytes) return undefined;
  try {
    const config: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readLogBytes(runDir: string): Promise<Uint8Array> {
  return (await readRunFile(runDir, RUN_FILES.log)) ?? NO_BYTES;
}

async function listSamples(runDir: string): Promise<string[]> {
  return (await listRunFiles(runDir, RUN_FILES.samples)).filter(isSampleFileName).sort();
}

/** The latest change time among the run folder, its config and its log (absent files do not count). */
async function modifiedTime(runDir: string): Promise<Date> {
  const times = await Promise.all(['', RUN_FILES.config, RUN_FILES.log].map((file) => runEntryTime(runDir, file)));
  return new Date(Math.max(...times));
}

async function isRunFolder(runDir: string): Promise<boolean> {
  return isRunListing(await readdir(runDir).catch((): string[] => []));
}

/** The run's real folder when `name` names a run inside `runsDir` (links resolved), else undefined. */
async function runFolder(runsDir: string, name: string): Promise<string | undefined> {
  if (!isRunName(name)) return undefined;
  const realRunsDir = await realRunsFolder(runsDir);
  const runDir = realRunsDir && (await confinedRunFolder(realRunsDir, name));
  return runDir && (await isRunFolder(runDir)) ? runDir : undefined;
}

/** Every run the API would serve, and no other: links to folders outside the runs folder are left out. */
async function summaries(runsDir: string): Promise<RunSummary[]> {
  const names = (await readdir(runsDir).catch((): string[] => [])).filter(isRunName);
  const runs = await Promise.all(
    names.map(async (name) => {
      const runDir = await runFolder(runsDir, name);
      if (!runDir) return [];
      const [config, log, modified] = await Promise.all([readConfig(runDir), readLogBytes(runDir).then(parseLog), modifiedTime(runDir)]);
      return [summarizeRun(name, config, log, modified)];
    }),
  );
  return runs.flat().sort((a, b) => b.modified.localeCompare(a.modified) || a.name.localeCompare(b.name));
}

/** The byte offset to follow a log from: the browser's Last-Event-ID on reconnection, else `?from=`. */
function followFrom(c: Context): number | undefined {
  const value = c.req.header('Last-Event-ID') ?? c.req.query('from');
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function badName(c: Context, what: string) {
  return c.json({ error: `invalid ${what} name` }, 400);
}

/** The folder of the run a request names, or the response for a bad or unknown name. */
async function requestedRun(c: Context, runsDir: string): Promise<{ name: string; runDir: string } | Response> {
  const name = c.req.param('run')!;
  if (!isRunName(name)) return badName(c, 'run');
  const runDir = await runFolder(runsDir, name);
  return runDir ? { name, runDir } : c.json({ error: `no run named ${JSON.stringify(name)}` }, 404);
}

/**
 * Training runs for the training page, one sub-folder of `runsDir` each:
 * - `GET /` the runs, newest change first; the `X-Runs-Dir` header names the folder as `runsDirShown`
 *   says (for the CLI, `--runs` as the user typed it: the page need not learn where the user's files are);
 * - `GET /:run` its config, complete log lines, sample grids, and `logOffset` (where its log was read to);
 * - `GET /:run/events` Server-Sent Events while the run goes on: `log` (a new complete line, `id` = the
 *   byte offset after it, so a reconnecting EventSource resumes where it was), `reset` (the log was
 *   rewritten; its lines follow again from the start) and `sample` (a new sample grid's file name);
 * - `GET /:run/samples/:file` a sample grid (PNG).
 */
export function runsRoutes(runsDir: string, runsDirShown: string): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    c.header('X-Runs-Dir', encodeURIComponent(runsDirShown));
    return c.json(await summaries(runsDir));
  });

  app.get('/:run', async (c) => {
    const run = await requestedRun(c, runsDir);
    if (run instanceof Response) return run;
    const { name, runDir } = run;
    const [config, bytes, samples] = await Promise.all([readConfig(runDir), readLogBytes(runDir), listSamples(runDir)]);
    const { lines, end } = completeLines(bytes);
    const log: TrainLogLine[] = lines.flatMap((text) => parseLogLine(text) ?? []);
    return c.json({ name, config: config ?? null, log, logOffset: end, samples });
  });

  app.get('/:run/events', async (c) => {
    const run = await requestedRun(c, runsDir);
    if (run instanceof Response) return run;
    const { runDir } = run;
    const follower = await LogFollower.start(() => openRunFile(runDir, RUN_FILES.log), followFrom(c));
    const knownSamples = new Set(await listSamples(runDir));
    return streamSSE(c, async (stream) => {
      let connected = true;
      stream.onAbort(() => {
        connected = false;
      });
      // An SSE comment, so the response starts at once and the page can show that it is live.
      await stream.write(': following\n\n');
      while (connected) {
        const growth = await follower.poll();
        if (growth.reset) await stream.writeSSE({ event: 'reset', data: '' });
        for (const line of growth.lines) {
          if (parseLogLine(line.text)) await stream.writeSSE({ event: 'log', data: line.text, id: String(line.end) });
        }
        const samples = await listSamples(runDir);
        for (const file of samples) {
          if (!knownSamples.has(file)) await stream.writeSSE({ event: 'sample', data: file });
        }
        knownSamples.clear();
        for (const file of samples) knownSamples.add(file);
        await stream.sleep(POLL_MILLISECONDS);
      }
    });
  });

  app.get('/:run/samples/:file', async (c) => {
    const file = c.req.param('file');
    if (isRunName(c.req.param('run')) && !isSampleFileName(file)) return badName(c, 'sample');
    const run = await requestedRun(c, runsDir);
    if (run instanceof Response) return run;
    const { name, runDir } = run;
    const png = await readRunFile(runDir, `${RUN_FILES.samples}/${file}`);
    if (!png) return c.json({ error: `run ${JSON.stringify(name)} has no sample ${JSON.stringify(file)}` }, 404);
    return c.body(png, 200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-cache' });
  });

  return app;
}
