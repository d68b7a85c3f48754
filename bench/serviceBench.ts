import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { RedisServer } from '../test/service/redisServer.js';

/**
 * `npm run bench -- service`: the queue and the HTTP API against the plain CLI in the same run.
 * 1. Throughput on one folder of pictures (default x4 model): the CLI as one process, then
 *    `enhance upscale --queue` with 1 and 2 local `enhance worker`s on a private Redis; the queue's
 *    overhead per picture as a share of the CLI's time per picture, and the outputs checked pixel for pixel.
 * 2. A bounded load test of POST /v1/upscale on `enhance serve --port 0` (memory queue): status codes,
 *    latency of the 200s as multiples of one request alone, and the server's RSS sampled every 100 ms.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repo, 'bin/enhance.js');
const sample = join(repo, 'samples/chelsea.png');
const CASE_TIMEOUT_MS = 30 * 60_000;

interface Child {
  child: ChildProcess;
  /** The last output lines (stdout and stderr), for error messages. */
  tail: () => string;
  exited: Promise<number | null>;
}

/** A child process of `node bin/enhance.js`, its pipes drained (a full pipe would block it). */
function startCli(args: string[], cwd = repo): Child {
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((done) => child.once('exit', (code, signal) => done(signal ? -1 : code)));
  return { child, exited, tail: () => output.trim().split('\n').slice(-3).join(' | ') };
}

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Stop a child we started: `signal` first (a worker finishes its job in hand), SIGKILL after `graceMs`. */
async function stop(c: Child | undefined, signal: NodeJS.Signals = 'SIGINT', graceMs = 5000): Promise<void> {
  if (!c || !isRunning(c.child)) return;
  c.child.kill(signal);
  const timer = setTimeout(() => isRunning(c.child) && c.child.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
}

/** The first stdout line matching `pattern` (a service saying it is ready), or an error when it exits first. */
function firstLine(c: Child, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs / 1000} s: ${c.tail()}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (line === undefined) return;
      clearTimeout(timer);
      c.child.stdout!.off('data', onData);
      resolveLine(line.trim());
    };
    c.child.stdout!.on('data', onData);
    void c.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before it was ready: ${c.tail()}`));
    });
  });
}

interface Run {
  ms: number;
  ok: boolean;
  error?: string;
}

/** Wall time of one `enhance` process; it is killed (and the run failed) if a process in `watched` dies meanwhile. */
async function timedCli(args: string[], watched: Child[] = []): Promise<Run> {
  const started = performance.now();
  const c = startCli(args);
  let why: string | undefined;
  const timer = setTimeout(() => {
    why = `timed out after ${CASE_TIMEOUT_MS / 60_000} min`;
    void stop(c, 'SIGKILL');
  }, CASE_TIMEOUT_MS);
  for (const w of watched) {
    void w.exited.then(() => {
      if (!isRunning(c.child)) return;
      why = `a worker exited mid-run: ${w.tail()}`;
      void stop(c, 'SIGKILL');
    });
  }
  const code = await c.exited;
  clearTimeout(timer);
  const ms = performance.now() - started;
  const ok = code === 0 && why === undefined;
  return { ms, ok, error: ok ? undefined : (why ?? `exit ${code}: ${c.tail()}`) };
}

/** An `enhance worker` on `url`, started and ready (it prints `ready <pid>`); the time it took to be ready. */
async function startWorker(url: string, extra: string[], workers: Child[]): Promise<number> {
  const started = performance.now();
  const w = startCli(['worker', '--queue', url, ...extra]);
  workers.push(w);
  const line = await firstLine(w, /^ready \d+$/);
  if (Number(line.split(' ')[1]) !== w.child.pid) throw new Error(`worker says '${line}' but its pid is ${w.child.pid}`);
  return performance.now() - started;
}

/**
 * Picture `index` of a set: a size x size crop of samples/chelsea.png scaled to cover 1.5x the size,
 * each index at its own offset (mirrored past the offsets), so every picture is different bytes: the
 * queue keys jobs by content, and equal pictures would be one job.
 */
async function picture(index: number, size: number): Promise<Buffer> {
  const side = Math.round(size * 1.5);
  const range = side - size + 1;
  const left = index % range;
  const top = Math.floor(index / range) % range;
  const mirrored = Math.floor(index / (range * range)) % 2 === 1;
  let image = sharp(sample).resize(side, side, { fit: 'cover' }).removeAlpha();
  const crop = await image.extract({ left, top, width: size, height: size }).raw().toBuffer();
  image = sharp(crop, { raw: { width: size, height: size, channels: 3 } });
  return (mirrored ? image.flop() : image).png().toBuffer();
}

async function writePictures(dir: string, count: number, size: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) await sharp(await picture(i, size)).toFile(join(dir, `p${String(i).padStart(4, '0')}.png`));
}

/** Files whose decoded pixels differ from the reference folder's (missing ones included), and the largest difference. */
async function comparePixels(referenceDir: string, dir: string): Promise<{ files: number; differ: string[]; maxDiff: number }> {
  const names = (await readdir(referenceDir)).sort();
  const differ: string[] = [];
  let maxDiff = 0;
  for (const name of names) {
    const a = await sharp(join(referenceDir, name)).raw().toBuffer({ resolveWithObject: true });
    const b = await sharp(join(dir, name))
      .raw()
      .toBuffer({ resolveWithObject: true })
      .catch(() => undefined);
    if (!b || a.info.width !== b.info.width || a.info.height !== b.info.height || a.info.channels !== b.info.channels) {
      differ.push(name);
      continue;
    }
    if (a.data.equals(b.data)) continue;
    differ.push(name);
    for (let i = 0; i < a.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.data[i] - b.data[i]));
  }
  const extra = (await readdir(dir)).filter((n) => !names.includes(n));
  return { files: names.length, differ: [...differ, ...extra.map((n) => `${n} (extra)`)], maxDiff };
}

/** VmRSS of a process, MB (undefined once it has gone). */
function rssMB(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 0.5);

function table(title: string, header: string[], rows: string[][]): void {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ').trimEnd();
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}

async function throughput(dir: string, pictures: number, size: number): Promise<void> {
  const input = join(dir, 'in');
  await writePictures(input, pictures, size);
  // One picture alone: the fixed cost of a run (process start, model compile, connecting) drops out of the marginal cost.
  const one = join(dir, 'in-one');
  await writePictures(one, 1, size);
  const out = (name: string) => join(dir, `out-${name}`);
  const workers: Child[] = [];
  const redis = await RedisServer.start();
  const notes: string[] = [];
  const cases: { name: string; run: Run; out: string }[] = [];
  const oneRuns: Run[] = [];
  try {
    const plain = (name: string, from = input) => timedCli(['upscale', from, '-o', out(name)]);
    // Each queued run writes its own folder: a job is keyed by picture, options and output path, and one
    // already done is answered from the queue, not run again.
    const queued = (name: string, from = input) => timedCli(['upscale', from, '-o', out(name), '--queue', redis.url], workers);

    // The CLI before and after the 1-worker run: the reference is their mean, and their spread is the noise.
    cases.push({ name: 'cli, one process (run 1)', run: await plain('cli1'), out: out('cli1') });
    const cliOne = await plain('cli-one', one);
    const readyMs = await startWorker(redis.url, [], workers);
    notes.push(`1 worker (all ${availableParallelism()} threads) ready ${(readyMs / 1000).toFixed(1)} s after start (models compiled before timing)`);
    cases.push({ name: '1 worker, all threads', run: await queued('q1'), out: out('q1') });
    const queuedOne = await queued('q1-one', one);
    oneRuns.push(cliOne, queuedOne);
    cases.push({ name: 'cli, one process (run 2)', run: await plain('cli2'), out: out('cli2') });

    await startWorker(redis.url, [], workers);
    cases.push({ name: '2 workers, all threads each', run: await queued('q2'), out: out('q2') });
    await Promise.all(workers.splice(0).map((w) => stop(w)));

    await Promise.all([startWorker(redis.url, ['--threads', '1'], workers), startWorker(redis.url, ['--threads', '1'], workers)]);
    cases.push({ name: '2 workers, --threads 1 each', run: await queued('q2t1'), out: out('q2t1') });
  } finally {
    await Promise.all(workers.splice(0).map((w) => stop(w)));
    await redis.close();
  }

  const cliRuns = cases.filter((c) => c.name.startsWith('cli') && c.run.ok).map((c) => c.run.ms);
  const reference = cliRuns.length ? cliRuns.reduce((a, b) => a + b, 0) / cliRuns.length : undefined;
  table(
    `service throughput: ${pictures} pictures ${size}x${size} -> x4, default model, one folder (reference: mean of the 2 cli runs)`,
    ['case', 'wall s', 'pictures/min', 'time / cli'],
    cases.map(({ name, run }) =>
      run.ok ? [name, (run.ms / 1000).toFixed(2), ((pictures / run.ms) * 60_000).toFixed(1), reference ? `${(run.ms / reference).toFixed(2)}x` : '-'] : [name, 'error', run.error ?? '', ''],
    ),
  );
  for (const note of notes) console.log(note);
  if (cliRuns.length === 2) console.log(`cli run 2 / run 1: ${(cliRuns[1] / cliRuns[0]).toFixed(3)} (the machine's noise between two equal runs)`);

  const q1 = cases.find((c) => c.name.startsWith('1 worker'))!.run;
  if (reference && q1.ok) {
    const perPicture = reference / pictures;
    const overhead = (q1.ms - reference) / pictures;
    const share = (overhead / perPicture) * 100;
    console.log(
      `queue overhead per picture (1 worker - cli) / ${pictures}: ${overhead.toFixed(1)} ms = ${share.toFixed(1)} % of the cli's ${perPicture.toFixed(0)} ms per picture (target <= 5 %: ${share <= 5 ? 'met' : 'NOT met'})`,
    );
    console.log("  (the cli's time includes its start and model compile; the worker's are before timing)");
    const [cliOne, queuedOne] = oneRuns;
    if (pictures > 1 && cliOne?.ok && queuedOne?.ok) {
      // Marginal cost per picture: (40 pictures - 1 picture) / 39, each for its own kind of run.
      const cliMarginal = (reference - cliOne.ms) / (pictures - 1);
      const queueMarginal = (q1.ms - queuedOne.ms) / (pictures - 1);
      const marginalShare = ((queueMarginal - cliMarginal) / cliMarginal) * 100;
      console.log(
        `queue overhead per picture without fixed costs ((${pictures} - 1 picture) / ${pictures - 1}): ${(queueMarginal - cliMarginal).toFixed(1)} ms = ${marginalShare.toFixed(1)} % of the cli's ${cliMarginal.toFixed(0)} ms per picture (target <= 5 %: ${marginalShare <= 5 ? 'met' : 'NOT met'})`,
      );
      console.log(`  (1 picture: cli ${(cliOne.ms / 1000).toFixed(2)} s, queued on the ready worker ${(queuedOne.ms / 1000).toFixed(2)} s)`);
    }
  }

  const cliOut = cases[0].run.ok ? cases[0].out : undefined;
  if (!cliOut) return console.log('outputs: not compared (the cli run failed)');
  for (const c of cases.slice(1)) {
    if (!c.run.ok) {
      console.log(`outputs of ${c.name}: not compared (the run failed)`);
      continue;
    }
    const { files, differ, maxDiff } = await comparePixels(cliOut, c.out);
    console.log(
      differ.length === 0
        ? `outputs of ${c.name}: same pixels as cli run 1 (${files}/${files} pictures)`
        : `outputs of ${c.name}: DIFFER from cli run 1 in ${differ.length}/${files} pictures (largest difference ${maxDiff}/255; ${differ.slice(0, 3).join(', ')}${differ.length > 3 ? ', ...' : ''})`,
    );
  }
}

async function loadTest(dir: string, requests: number, inFlight: number, maxQueued: number): Promise<void> {
  const size = 64;
  const warmUps = 1;
  const alone = 5;
  const bodies: Buffer[] = [];
  for (let i = 0; i < warmUps + alone + requests; i++) bodies.push(await picture(i, size));

  const server = startCli(['serve', '--port', '0', '--host', '127.0.0.1', '--runs', dir, '--max-queued', String(maxQueued)]);
  let sampler: NodeJS.Timeout | undefined;
  try {
    const base = (await firstLine(server, /^http:\/\//)).replace(/\/$/, '');
    const pid = server.child.pid!;
    const rssStart = rssMB(pid)!;
    const post = async (body: Buffer) => {
      const started = performance.now();
      try {
        const response = await fetch(`${base}/v1/upscale`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Type': 'image/png' } });
        const bytes = Buffer.from(await response.arrayBuffer());
        return { status: String(response.status), ms: performance.now() - started, sent: body.length, bytes, retryAfter: response.headers.get('retry-after') };
      } catch (error) {
        return { status: `network error (${(error as Error).cause ?? (error as Error).message})`, ms: performance.now() - started, sent: body.length, bytes: Buffer.alloc(0), retryAfter: null };
      }
    };

    // Reference: the same requests one at a time, after a warm-up (the model compiles on the first job).
    const answered: Awaited<ReturnType<typeof post>>[] = [];
    const warm = await post(bodies[0]);
    answered.push(warm);
    if (warm.status !== '200') throw new Error(`the warm-up request got ${warm.status}: ${warm.bytes.toString().slice(0, 200)}`);
    const aloneMs: number[] = [];
    for (let i = 0; i < alone; i++) {
      const r = await post(bodies[warmUps + i]);
      if (r.status !== '200') throw new Error(`a request alone got ${r.status}: ${r.bytes.toString().slice(0, 200)}`);
      aloneMs.push(r.ms);
      answered.push(r);
    }
    const single = median(aloneMs);
    const rssWarm = rssMB(pid)!;

    let peak = rssWarm;
    sampler = setInterval(() => (peak = Math.max(peak, rssMB(pid) ?? 0)), 100);
    const results: Awaited<ReturnType<typeof post>>[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < requests) {
          const body = bodies[warmUps + alone + next++];
          results.push(await post(body)); // no retries, 429s included
        }
      }),
    );
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    sampler = undefined;
    const rssEnd = rssMB(pid) ?? NaN;
    peak = Math.max(peak, rssEnd);

    const counts = new Map<string, number>();
    for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    const ok = results.filter((r) => r.status === '200');
    const errors = results.filter((r) => r.status !== '200' && r.status !== '429');
    const latency = ok.map((r) => r.ms).sort((a, b) => a - b);
    const p50 = percentile(latency, 0.5);
    const p95 = percentile(latency, 0.95);
    const without = results.filter((r) => r.status === '429' && r.retryAfter === null).length;
    // Kept by design for --result-ttl (24 h by default) in the memory queue's store: each input and its result.
    const retainedMB = [...answered, ...ok].reduce((sum, r) => sum + r.sent + r.bytes.length, 0) / 2 ** 20;

    table(
      `POST /v1/upscale load: ${requests} requests of ${size}x${size} PNG (distinct), ${inFlight} in flight, no retries; enhance serve --queue memory --max-queued ${maxQueued}`,
      ['status', 'count'],
      [...counts.entries()].sort().map(([status, count]) => [status === '429' ? '429 (queue full, intended)' : status === '200' ? '200' : `${status} (ERROR)`, String(count)]),
    );
    if (errors.length) console.log(`errors: ${errors.length} responses other than 200/429, e.g. ${errors[0].status}: ${errors[0].bytes.toString().slice(0, 200)}`);
    else console.log('errors: none (only 200 and 429)');
    if (without) console.log(`429s without Retry-After: ${without}`);
    table(
      'latency of the 200s (reference: the median of 5 requests alone, after a warm-up)',
      ['case', 'ms', 'time / alone'],
      ok.length
        ? [
            ['one request alone', single.toFixed(0), '1.00x'],
            ['p50 under load', p50.toFixed(0), `${(p50 / single).toFixed(2)}x`],
            ['p95 under load', p95.toFixed(0), `${(p95 / single).toFixed(2)}x`],
          ]
        : [['one request alone', single.toFixed(0), '1.00x']],
    );
    console.log(
      `throughput under load: ${((ok.length / wallMs) * 1000).toFixed(2)} pictures/s in ${(wallMs / 1000).toFixed(1)} s (one at a time alone: ${(1000 / single).toFixed(2)}/s; ratio ${((ok.length / wallMs) * single).toFixed(2)}x)`,
    );
    const growth = peak - rssWarm;
    const bounded = growth <= 256;
    table('server RSS (VmRSS of the serve process, sampled every 100 ms under load)', ['point', 'MB'], [
      ['start (listening, no request yet)', rssStart.toFixed(0)],
      ['after warm-up and 5 requests alone', rssWarm.toFixed(0)],
      ['peak under load', peak.toFixed(0)],
      ['end (right after the last answer)', rssEnd.toFixed(0)],
    ]);
    console.log(
      `RSS bounded: ${bounded ? 'yes' : 'NO'} (peak - after warm-up = ${growth.toFixed(0)} MB, allowed 256 MB; the store keeps ${retainedMB.toFixed(1)} MB of inputs and results for --result-ttl, up to its 1 GiB cap)`,
    );
  } finally {
    if (sampler) clearInterval(sampler);
    await stop(server, 'SIGTERM');
  }
}

export async function serviceBench(_datasets: string, _rounds: number, args: string[] = []): Promise<void> {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`${flag}=`))?.split('=')[1];
  };
  const count = (flag: string, fallback: number) => {
    const n = Number(value(flag) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: a whole number of at least 1, not '${value(flag)}'`);
    return n;
  };
  const pictures = count('--pictures', 40);
  const size = count('--size', 256);
  const requests = count('--requests', 200);
  const inFlight = count('--in-flight', 20);
  // N in flight, one running: at most N - 1 wait, so N - 1 lets every request in and a 429 there is a race.
  // Any lower cap keeps a client spinning on instant 429s (no retries), which spends most of the request budget.
  const maxQueued = count('--max-queued', Math.max(1, inFlight - 1));
  const dir = await mkdtemp(join(tmpdir(), 'enhance-bench-service-'));
  try {
    await throughput(dir, pictures, size);
    await loadTest(dir, requests, inFlight, maxQueued);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
