import { execFileSync } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createWebApp } from '../../src/serve/webServer.js';
import { temporaryDirectory } from '../helpers.js';

/** Text no response may ever contain: it lives only outside the runs folder. */
const CANARY = 'canary-3f9c1e7a';
/** The canary file is a valid log line and a valid config, so a followed link would show it anywhere. */
const CANARY_TEXT = `{"step":7,"loss":0.5,"secret":"${CANARY}"}\n`;

async function tinyPng(): Promise<Buffer> {
  return sharp({ create: { width: 4, height: 2, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toBuffer();
}

/** A run folder with a config, a log and one real sample grid. */
async function makeRun(runDir: string): Promise<void> {
  await mkdir(join(runDir, 'samples'), { recursive: true });
  await writeFile(join(runDir, 'config.json'), JSON.stringify({ steps: 100 }));
  await writeFile(join(runDir, 'log.jsonl'), '{"step":10,"loss":0.1}\n');
  await writeFile(join(runDir, 'samples', 'step_0000010.png'), await tinyPng());
}

/**
 * A runs folder unpacked from a stranger's archive: `good` (a plain run), `latest` (a link to `good`),
 * `elsewhere` (a link to a run-like folder outside), `leaky` (a real run whose config, log and a sample
 * are links to the canary, and `linked` whose samples folder is a link to a folder outside).
 */
async function makeHostileRunsDir(): Promise<{ base: string; runsDir: string }> {
  const base = await temporaryDirectory();
  const runsDir = join(base, 'runs');
  const outside = join(base, 'outside');
  await mkdir(join(outside, 'samples'), { recursive: true });
  await writeFile(join(outside, 'canary.txt'), CANARY_TEXT);
  await writeFile(join(outside, 'config.json'), CANARY_TEXT);
  await writeFile(join(outside, 'log.jsonl'), CANARY_TEXT);
  await writeFile(join(outside, 'samples', 'step_0000010.png'), CANARY_TEXT);

  await makeRun(join(runsDir, 'good'));
  await symlink(join(runsDir, 'good'), join(runsDir, 'latest'));
  await symlink(outside, join(runsDir, 'elsewhere'));

  const leaky = join(runsDir, 'leaky');
  await mkdir(join(leaky, 'samples'), { recursive: true });
  await symlink(join(outside, 'canary.txt'), join(leaky, 'config.json'));
  await symlink(join(outside, 'canary.txt'), join(leaky, 'log.jsonl'));
  await symlink(join(outside, 'canary.txt'), join(leaky, 'samples', 'step_0000020.png'));
  await writeFile(join(leaky, 'samples', 'step_0000010.png'), await tinyPng());

  const linked = join(runsDir, 'linked');
  await mkdir(linked, { recursive: true });
  await writeFile(join(linked, 'config.json'), JSON.stringify({ steps: 5 }));
  await symlink(join(outside, 'samples'), join(linked, 'samples'));
  return { base, runsDir };
}

/** The first `milliseconds` of an event stream as text (the stream is then closed). */
async function readStreamFor(response: Response, milliseconds: number): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + milliseconds;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return text;
      const chunk = await Promise.race([reader.read(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), left))]);
      if (chunk === undefined || chunk.done) return text;
      text += decoder.decode(chunk.value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
}

/** The response to `path`, or 'timed out' when it has not come within `milliseconds`. */
async function requestWithin(app: ReturnType<typeof createWebApp>, path: string, milliseconds: number): Promise<Response | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), milliseconds)));
  try {
    return await Promise.race([Promise.resolve(app.request(path)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('run folders that link outside the runs folder', () => {
  it('leaves a run folder that is a link to a folder outside out of the list', async () => {
    const { runsDir } = await makeHostileRunsDir();
    const response = await createWebApp({ runsDir }).request('/api/runs');
    expect(response.status).toBe(200);
    const names = ((await response.json()) as { name: string }[]).map((run) => run.name).sort();
    expect(names).toEqual(['good', 'latest', 'leaky', 'linked']);
  });

  it('answers 404 for everything under a run folder that is a link to a folder outside, though it holds a config.json', async () => {
    const { runsDir } = await makeHostileRunsDir();
    const app = createWebApp({ runsDir });
    for (const path of ['/api/runs/elsewhere', '/api/runs/elsewhere/events', '/api/runs/elsewhere/samples/step_0000010.png']) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toContain(CANARY);
    }
  });

  it('serves a run folder that is a link to another run inside the runs folder', async () => {
    const { runsDir } = await makeHostileRunsDir();
    const response = await createWebApp({ runsDir }).request('/api/runs/latest');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'latest', config: { steps: 100 }, samples: ['step_0000010.png'] });
  });

  it('refuses a sample grid that is a link to a file outside, and lists only the real one', async () => {
    const { runsDir } = await makeHostileRunsDir();
    const app = createWebApp({ runsDir });
    const sample = await app.request('/api/runs/leaky/samples/step_0000020.png');
    expect(sample.status).toBe(404);
    expect(await sample.text()).not.toContain(CANARY);
    const run = (await (await app.request('/api/runs/leaky')).json()) as { samples: string[] };
    expect(run.samples).toEqual(['step_0000010.png']);
    expect((await app.request('/api/runs/leaky/samples/step_0000010.png')).status).toBe(200);
  });

  it('reads neither a config nor a log that is a link to a file outside', async () => {
    const { runsDir } = await makeHostileRunsDir();
    const response = await createWebApp({ runsDir }).request('/api/runs/leaky');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ name: 'leaky', config: null, log: [], logOffset: 0 });
  });

  it('lists and serves nothing from a samples folder that is a link to a folder outside', async () => {
    const { runsDir } = await makeHostileRunsDir();
    const app = createWebApp({ runsDir });
    const run = (await (await app.request('/api/runs/linked')).json()) as { samples: string[] };
    expect(run.samples).toEqual([]);
    const sample = await app.request('/api/runs/linked/samples/step_0000010.png');
    expect(sample.status).toBe(404);
    expect(await sample.text()).not.toContain(CANARY);
  });

  it('never sends the canary in any response, event streams followed from the start included', async () => {
    const { runsDir } = await makeHostileRunsDir();
    const app = createWebApp({ runsDir });
    const bodies: string[] = [];
    for (const run of ['good', 'latest', 'elsewhere', 'leaky', 'linked']) {
      for (const path of [`/api/runs/${run}`, `/api/runs/${run}/samples/step_0000010.png`, `/api/runs/${run}/samples/step_0000020.png`]) {
        bodies.push(await (await app.request(path)).text());
      }
      const events = await app.request(`/api/runs/${run}/events?from=0`);
      bodies.push(events.status === 200 ? await readStreamFor(events, 700) : await events.text());
    }
    bodies.push(await (await app.request('/api/runs')).text());
    expect(bodies.join('\n')).toContain('"step":10'); // the real runs' logs did come through
    expect(bodies.join('\n')).not.toContain(CANARY);
  });
});

describe('files in a run that are not regular files', () => {
  /** A run `piped` whose config, log and one sample grid are FIFOs (nothing ever writes to them). */
  async function makeRunWithFifos(): Promise<string> {
    const runsDir = join(await temporaryDirectory(), 'runs');
    const piped = join(runsDir, 'piped');
    await makeRun(piped);
    await makeRun(join(runsDir, 'good'));
    execFileSync('mkfifo', [join(piped, 'samples', 'step_0000020.png')]);
    await rm(join(piped, 'config.json'));
    await rm(join(piped, 'log.jsonl'));
    execFileSync('mkfifo', [join(piped, 'config.json'), join(piped, 'log.jsonl')]);
    return runsDir;
  }

  it('refuses a sample grid that is a FIFO within 1 s', async () => {
    const app = createWebApp({ runsDir: await makeRunWithFifos() });
    const started = Date.now();
    const response = await requestWithin(app, '/api/runs/piped/samples/step_0000020.png', 1000);
    expect(response).not.toBe('timed out');
    expect((response as Response).status).toBe(404);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lists the runs and shows a run whose config and log are FIFOs within 1 s, without them', async () => {
    const app = createWebApp({ runsDir: await makeRunWithFifos() });
    const list = await requestWithin(app, '/api/runs', 1000);
    expect(list).not.toBe('timed out');
    expect(((await (list as Response).json()) as { name: string }[]).map((run) => run.name).sort()).toEqual(['good', 'piped']);
    const run = await requestWithin(app, '/api/runs/piped', 1000);
    expect(run).not.toBe('timed out');
    expect(await (run as Response).json()).toMatchObject({ config: null, log: [], samples: ['step_0000010.png'] });
  });
});
