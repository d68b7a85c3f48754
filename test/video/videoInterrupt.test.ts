import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, temporaryDirectory } from '../helpers.js';
import { countFrames, ffmpegAvailable, frameDigests, makeClip } from './videoClips.js';

/** Send Ctrl-C (SIGINT) once `ready()` holds, polled every 50 ms. */
function interruptWhen(ready: () => boolean): (child: ChildProcess) => void {
  return (child) => {
    const timer = setInterval(() => {
      if (!ready()) return;
      clearInterval(timer);
      child.kill('SIGINT');
    }, 50);
    child.on('exit', () => clearInterval(timer));
  };
}

/**
 * Ctrl-C on a video: nothing left by default; with --resume the finished segments stay and the next
 * run continues from them, making the very frames of an uninterrupted run; with --keep-partial a
 * shorter, playable video. Segments of 0.5 s (12 frames) of a 4 s clip; FFV1 so frames compare exactly.
 */
describe.skipIf(!ffmpegAvailable)('an interrupted video', () => {
  let dir: string;
  let clip: string;
  let whole: string[];
  const common = ['--codec', 'ffv1', '--segment', '0.5'];

  beforeAll(async () => {
    dir = await temporaryDirectory();
    clip = makeClip(dir, 'clip.mp4', { width: 64, height: 48, rate: 24, seconds: 4 });
    const out = join(dir, 'whole.mkv');
    expect((await runCli(['upscale', clip, '-o', out, ...common])).code).toBe(0);
    whole = frameDigests(out);
    expect(whole).toHaveLength(96);
  }, 120_000);

  it('leaves no file after Ctrl-C', async () => {
    const out = join(dir, 'stopped.mkv');
    const parts = join(dir, '.stopped.mkv.parts');
    const result = await runCli(['upscale', clip, '-o', out, ...common], { onSpawn: interruptWhen(() => existsSync(join(parts, 'segment-000000.mkv'))) });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('no partial output was left behind');
    expect((await readdir(dir)).sort()).toEqual(['clip.mp4', 'whole.mkv']);
  });

  it('--resume after Ctrl-C makes the frames of an uninterrupted run', async () => {
    const out = join(dir, 'resumed.mkv');
    const parts = join(dir, '.resumed.mkv.parts');
    const first = await runCli(['upscale', clip, '-o', out, ...common, '--resume'], { onSpawn: interruptWhen(() => existsSync(join(parts, 'segment-000002.mkv'))) });
    expect(first.code).toBe(130);
    expect(existsSync(out)).toBe(false);
    const kept = (await readdir(parts)).filter((name) => name.startsWith('segment-'));
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length).toBeLessThan(8);

    const second = await runCli(['upscale', clip, '-o', out, ...common, '--resume']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`resuming after ${kept.length} finished segments (frame ${kept.length * 12})`);
    expect(frameDigests(out)).toEqual(whole);
    expect(existsSync(parts)).toBe(false);

    // Parts of other work are refused, not mixed in.
    const third = await runCli(['upscale', clip, '-o', join(dir, 'other.mkv'), ...common, '--resume'], {
      onSpawn: interruptWhen(() => existsSync(join(dir, '.other.mkv.parts', 'segment-000000.mkv'))),
    });
    expect(third.code).toBe(130);
    const changed = await runCli(['upscale', clip, '-o', join(dir, 'other.mkv'), '--codec', 'ffv1', '--segment', '0.5', '--scale', '2', '--resume']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('was made from another input or with other options');
    const fresh = await runCli(['upscale', clip, '-o', join(dir, 'other.mkv'), '--codec', 'ffv1', '--segment', '0.5', '--scale', '2']);
    expect(fresh.code).toBe(0);
  }, 120_000);

  it('--keep-partial leaves a playable video of the frames done', async () => {
    const out = join(dir, 'partial.mkv');
    const parts = join(dir, '.partial.mkv.parts');
    const result = await runCli(['upscale', clip, '-o', out, ...common, '--keep-partial'], { onSpawn: interruptWhen(() => existsSync(join(parts, 'segment-000001.mkv'))) });
    expect(result.code).toBe(130);
    const frames = countFrames(out);
    expect(frames).toBeGreaterThan(24);
    expect(frames).toBeLessThan(96);
    // The frames kept are the first ones of the whole run, in order.
    expect(frameDigests(out)).toEqual(whole.slice(0, frames));
    expect(existsSync(parts)).toBe(false);
  }, 120_000);
});
