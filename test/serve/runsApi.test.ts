import { appendFile, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createWebApp } from '../../src/serve/webServer.js';
import { temporaryDirectory } from '../helpers.js';

const TRAIN_10 = '{"step":10,"loss":0.09,"lr":0.0001,"seconds":23,"terms":{"d_real":0.24,"d_fake":0.07,"g_l1":0.031}}';
const TRAIN_20 = '{"step":20,"loss":0.08,"lr":0.0001,"seconds":45,"terms":{"d_real":0.3,"d_fake":0.05,"g_l1":0.029}}';
const VAL_20 = '{"step":20,"val":{"psnrY":29.28,"ssimY":0.828,"niqe":7.73}}';

async function tinyPng(shade: number): Promise<Buffer> {
  return sharp({ create: { width: 6, height: 2, channels: 3, background: { r: shade, g: 0, b: 0 } } }).png().toBuffer();
}

/** A runs folder: `gan` (config, log ending in a half-written line, samples), `plain` (older), a non-run folder. */
async function makeRunsDir(): Promise<{ base: string; runsDir: string }> {
  const base = await temporaryDirectory();
  const runsDir = join(base, 'runs');
  const gan = join(runsDir, 'gan');
  await mkdir(join(gan, 'samples'), { recursive: true });
  await writeFile(join(gan, 'config.json'), JSON.stringify({ name: 'gan', scale: 4, steps: 100, gan: { loss: 'ragan' } }));
  await writeFile(join(gan, 'log.jsonl'), `${TRAIN_10}\nnot json\n${TRAIN_20}\n${VAL_20}\n{"step":30,"loss":0.0`);
  await writeFile(join(gan, 'samples', 'step_0000020.png'), await tinyPng(200));
  await writeFile(join(gan, 'samples', 'step_0000010.png'), await tinyPng(100));
  await writeFile(join(gan, 'samples', '.step_0000030.png.tmp-1-ab'), 'half written');
  const plain = join(runsDir, 'plain');
  await mkdir(plain, { recursive: true });
  await writeFile(join(plain, 'config.json'), JSON.stringify({ name: 'plain', scale: 2, steps: 500 }));
  await writeFile(join(plain, 'log.jsonl'), '{"step":25,"loss":0.02,"lr":0.0002,"seconds":21}\n');
  const old = new Date('2024-01-01T00:00:00Z');
  for (const path of [plain, join(plain, 'config.json'), join(plain, 'log.jsonl')]) await utimes(path, old, old);
  await mkdir(join(runsDir, 'profiles'), { recursive: true });
  await writeFile(join(runsDir, 'profiles', 'trace.json'), '{}');
  // A folder beside the runs folder that looks like a run: must stay out of reach.
  await mkdir(join(base, 'secret'), { recursive: true });
  await writeFile(join(base, 'secret', 'config.json'), '{"password":"hunter2"}');
  await writeFile(join(base, 'secret', 'log.jsonl'), '{"step":1,"loss":1}\n');
  return { base, runsDir };
}

interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Reads a text/event-stream response one event at a time. */
class EventReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private buffer = '';

  constructor(response: Response) {
    this.reader = response.body!.getReader();
  }

  async next(): Promise<SseEvent> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === 'event') event.event = value;
          else if (field === 'data') data.push(value);
          else if (field === 'id') event.id = value;
        }
        if (data.length === 0 && block.split('\n').every((line) => line.startsWith(':'))) continue;
        event.data = data.join('\n');
        return event;
      }
      const { done, value } = await this.reader.read();
      if (done) throw new Error('the event stream ended');
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  close(): Promise<void> {
    return this.reader.cancel();
  }
}

describe('the runs API', () => {
  it('lists the run folders, most recently changed first, with their progress', async () => {
    const { runsDir } = await makeRunsDir();
    const app = createWebApp({ runsDir });
    const response = await app.request('/api/runs');
    expect(response.status).toBe(200);
    expect(decodeURIComponent(response.headers.get('X-Runs-Dir')!)).toBe(runsDir);
    const runs = (await response.json()) as Record<string, unknown>[];
    expect(runs.map((run) => run.name)).toEqual(['gan', 'plain']);
    expect(runs[0]).toMatchObject({ name: 'gan', step: 20, totalSteps: 100, loss: 0.08, gan: true, val: { step: 20, psnrY: 29.28, niqe: 7.73 } });
    expect(runs[1]).toMatchObject({ name: 'plain', step: 25, totalSteps: 500, loss: 0.02, gan: false, modified: '2024-01-01T00:00:00.000Z' });
    expect(runs[1].val).toBeUndefined();
  });

  it('lists nothing when the runs folder does not exist', async () => {
    const app = createWebApp({ runsDir: join(await temporaryDirectory(), 'missing') });
    expect(await (await app.request('/api/runs')).json()).toEqual([]);
  });

  it("gives a run's config, its complete well-formed log lines and its sample grids in order", async () => {
    const { runsDir } = await makeRunsDir();
    const response = await createWebApp({ runsDir }).request('/api/runs/gan');
    expect(response.status).toBe(200);
    const run = (await response.json()) as { name: string; config: { steps: number }; log: { step: number }[]; logOffset: number; samples: string[] };
    expect(run.name).toBe('gan');
    expect(run.config.steps).toBe(100);
    expect(run.log).toEqual([JSON.parse(TRAIN_10), JSON.parse(TRAIN_20), JSON.parse(VAL_20)]);
    expect(run.samples).toEqual(['step_0000010.png', 'step_0000020.png']);
    const log = await readFile(join(runsDir, 'gan', 'log.jsonl'), 'utf8');
    expect(run.logOffset).toBe(log.lastIndexOf('\n') + 1);
  });

  it('serves a sample grid as a PNG', async () => {
    const { runsDir } = await makeRunsDir();
    const response = await createWebApp({ runsDir }).request('/api/runs/gan/samples/step_0000020.png');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(await readFile(join(runsDir, 'gan', 'samples', 'step_0000020.png')));
  });

  it('rejects run and sample names that reach outside the runs folder', async () => {
    const { runsDir } = await makeRunsDir();
    const app = createWebApp({ runsDir });
    for (const path of [
      '/api/runs/..%2Fsecret',
      '/api/runs/..%5Csecret',
      '/api/runs/.hidden',
      '/api/runs/..%2Fsecret/events',
      '/api/runs/gan/samples/..%2Fconfig.json',
      '/api/runs/gan/samples/..%2F..%2F..%2Fsecret%2Fconfig.json',
      '/api/runs/gan/samples/.step_0000030.png.tmp-1-ab',
      '/api/runs/..%2Fsecret/samples/x.png',
    ]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(400);
      expect(await response.json(), path).toHaveProperty('error');
    }
    for (const path of ['/api/runs/../secret', '/api/runs/%2e%2e/secret', '/api/runs/gan/samples/../config.json']) {
      const response = await app.request(path);
      expect(response.status, path).not.toBe(200);
      expect(await response.text(), path).not.toContain('hunter2');
    }
  });

  it('answers 404 with an error for an unknown run or sample', async () => {
    const { runsDir } = await makeRunsDir();
    const app = createWebApp({ runsDir });
    for (const path of ['/api/runs/nope', '/api/runs/profiles', '/api/runs/nope/events', '/api/runs/nope/samples/step_0000010.png', '/api/runs/gan/samples/step_0000099.png']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(((await response.json()) as { error: string }).error, path).toMatch(/no (run|sample)/);
    }
  });
});

describe('the run event stream', () => {
  it('sends a line appended after connecting, and none of the lines before', async () => {
    const { runsDir } = await makeRunsDir();
    const logPath = join(runsDir, 'gan', 'log.jsonl');
    const response = await createWebApp({ runsDir }).request('/api/runs/gan/events');
    expect(response.headers.get('Content-Type')).toMatch(/^text\/event-stream/);
    const events = new EventReader(response);
    try {
      // Completes the half-written step-30 line, then writes step 40.
      await appendFile(logPath, '5}\n{"step":40,"loss":0.04}\n');
      const first = await events.next();
      expect(first).toMatchObject({ event: 'log', data: '{"step":30,"loss":0.05}' });
      const second = await events.next();
      expect(second).toMatchObject({ event: 'log', data: '{"step":40,"loss":0.04}' });
      expect(Number(second.id)).toBe((await readFile(logPath)).length);
    } finally {
      await events.close();
    }
  });

  it('resumes after the line a reconnecting client last got (Last-Event-ID)', async () => {
    const { runsDir } = await makeRunsDir();
    const afterFirstLine = Buffer.byteLength(`${TRAIN_10}\n`);
    const response = await createWebApp({ runsDir }).request('/api/runs/gan/events', { headers: { 'Last-Event-ID': String(afterFirstLine) } });
    const events = new EventReader(response);
    try {
      expect(await events.next()).toMatchObject({ event: 'log', data: TRAIN_20 });
      expect(await events.next()).toMatchObject({ event: 'log', data: VAL_20 });
    } finally {
      await events.close();
    }
  });

  it('says reset and sends the lines again from the start when the log is rewritten', async () => {
    const { runsDir } = await makeRunsDir();
    const response = await createWebApp({ runsDir }).request('/api/runs/gan/events');
    const events = new EventReader(response);
    try {
      await writeFile(join(runsDir, 'gan', 'log.jsonl'), `${TRAIN_10}\n`);
      expect((await events.next()).event).toBe('reset');
      expect(await events.next()).toMatchObject({ event: 'log', data: TRAIN_10 });
    } finally {
      await events.close();
    }
  });

  it('announces a new sample grid', async () => {
    const { runsDir } = await makeRunsDir();
    const response = await createWebApp({ runsDir }).request('/api/runs/gan/events');
    const events = new EventReader(response);
    try {
      await writeFile(join(runsDir, 'gan', 'samples', 'step_0000030.png'), await tinyPng(50));
      expect(await events.next()).toEqual({ event: 'sample', data: 'step_0000030.png' });
    } finally {
      await events.close();
    }
  });
});
