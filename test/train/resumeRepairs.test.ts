import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, temporaryDirectory } from '../helpers.js';
import { tinyRunConfig } from './tinyRunConfig.js';

const CONFIG = tinyRunConfig('resume-repairs');

let config = '';
let finishedRun = '';

beforeAll(async () => {
  const dir = await temporaryDirectory();
  config = join(dir, 'train.yaml');
  await writeFile(config, CONFIG);
  finishedRun = join(dir, 'finished');
  const result = await runCli(['train', '--config', config, '--out', finishedRun]);
  if (result.code !== 0) throw new Error(`the run to resume failed: ${result.stderr}`);
}, 60_000);

/** A copy of the finished 10-step run, to damage and resume. */
async function copyOfRun(): Promise<string> {
  const out = join(await temporaryDirectory(), 'run');
  await cp(finishedRun, out, { recursive: true });
  return out;
}

const resume = (out: string, ...set: string[]) => runCli(['train', '--config', config, '--out', out, '--resume', '--set', 'steps=20', ...set]);

const loggedSteps = async (out: string) => (await readFile(join(out, 'log.jsonl'), 'utf8')).trimEnd().split('\n').map((line) => (JSON.parse(line) as { step: number }).step);

/** A process id that no process has any more: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

describe('--resume repairs what a killed run left', () => {
  it('a torn last log line and lines after the checkpoint are dropped, and the run goes on', async () => {
    const out = await copyOfRun();
    await appendFile(join(out, 'log.jsonl'), '{"step":15,"loss":123}\n{"step":25,"loss":0.0');
    const result = await resume(out);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('trained 20 steps');
    expect(result.stderr).toContain('log.jsonl');
    expect(await loggedSteps(out)).toEqual([5, 10, 15, 20]);
    expect(await readFile(join(out, 'log.jsonl'), 'utf8')).not.toContain('123');
  }, 60_000);

  it("a dead process's checkpoint and sample temporaries are removed; a running process's are kept", async () => {
    const out = await copyOfRun();
    const dead = deadPid();
    const staleCheckpoint = `.checkpoint.safetensors.tmp-${dead}-0badcafe`;
    const staleSample = `.step_0000010.png.tmp-${dead}-00c0ffee`;
    const live = `.checkpoint.safetensors.tmp-${process.pid}-12345678`;
    await writeFile(join(out, staleCheckpoint), 'half a checkpoint');
    await writeFile(join(out, 'samples', staleSample), 'half a picture');
    await writeFile(join(out, live), 'being written');
    const result = await resume(out);
    expect(result.stderr).not.toMatch(/error/);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('removed 2 unfinished temporary files');
    expect(existsSync(join(out, staleCheckpoint))).toBe(false);
    expect(existsSync(join(out, 'samples', staleSample))).toBe(false);
    expect(existsSync(join(out, live))).toBe(true);
  }, 60_000);
});

describe('--resume refuses what the checkpoint cannot continue', () => {
  it('a changed network is refused in one line naming the key, before the run is touched', async () => {
    const out = await copyOfRun();
    const before = { entries: (await readdir(out)).sort(), log: await readFile(join(out, 'log.jsonl'), 'utf8'), config: await readFile(join(out, 'config.json'), 'utf8') };
    const result = await resume(out, 'model.options.features=16');
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(join(out, 'config.json'));
    expect(lines[0]).toContain('model.options.features 8 -> 16');
    expect((await readdir(out)).sort()).toEqual(before.entries);
    expect(await readFile(join(out, 'log.jsonl'), 'utf8')).toBe(before.log);
    expect(await readFile(join(out, 'config.json'), 'utf8')).toBe(before.config);
  }, 60_000);

  it('a run with a checkpoint is kept when its resumption fails', async () => {
    const out = await copyOfRun();
    const result = await resume(out, 'optimizer.lr=1e12');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/diverged at step 1[1-9]/);
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'config.json'))).toBe(true);
  }, 60_000);
});
