import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrames } from '../src/video/frameDecoder.js';
import { FlickerMeter } from '../src/video/flickerMeter.js';
import { frameSamples, frameUpscaler } from '../src/video/frameUpscaler.js';
import { probeVideo } from '../src/video/probeVideo.js';
import { upscaleVideo, type VideoOptions } from '../src/video/upscaleVideo.js';
import { makeStaticCameraClip, staticMask } from './staticCameraClip.js';

/**
 * `npm run bench -- video`:
 * 1. Pipeline overhead: 10 s of 320x240 at 24 fps (testsrc2 and a tone), x4 with the default model.
 *    The whole `upscaleVideo` (ffmpeg decoding into a pipe, the model, x264 encoding at the defaults,
 *    the join with the audio; ffmpeg at the lowest priority) against the model alone on the same frames held in memory, round by
 *    round in the same process: the pipeline's fps over the model's is the number to keep near 1.
 * 2. Flicker on a static-camera clip (bench/staticCameraClip.ts, x264 crf 23): plain per-frame
 *    upscaling against `--temporal reuse` at three thresholds, with the default and the GAN model.
 */
async function frameList(path: string): Promise<{ frames: Buffer[]; width: number; height: number }> {
  const decoder = decodeFrames(await probeVideo(path), { start: 0, applyRotation: false });
  const frames: Buffer[] = [];
  for await (const frame of decoder.frames) frames.push(Buffer.from(frame));
  return { frames, width: decoder.width, height: decoder.height };
}

async function overhead(dir: string, rounds: number, args: string[]): Promise<void> {
  const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 10);
  const clip = join(dir, 'bench.mp4');
  const made = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=24:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', clip]);
  if (made.status !== 0) throw new Error(made.stderr.toString());
  const { frames, width, height } = await frameList(clip);
  const upscaler = await frameUpscaler({ width, height }, 8, {}, clip);
  console.log(`\nvideo pipeline: ${frames.length} frames of ${width}x${height} -> ${upscaler.output.width}x${upscaler.output.height} (${upscaler.describe}), ${rounds} rounds`);
  for (const frame of frames.slice(0, 6)) await upscaler.upscale(frameSamples(frame, 8)); // warm-up

  const cases: { name: string; run: () => Promise<void> }[] = [
    {
      name: 'model alone (frames in memory)',
      run: async () => {
        for (const frame of frames) await upscaler.upscale(frameSamples(frame, 8));
      },
    },
    { name: 'pipeline (defaults: x264 crf 18 veryfast)', run: () => upscaleVideo(clip, join(dir, 'out.mp4')).then(() => undefined) },
    { name: 'pipeline (x264 --preset medium)', run: () => upscaleVideo(clip, join(dir, 'out-medium.mp4'), { preset: 'medium' } as VideoOptions).then(() => undefined) },
  ];
  const times = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      const start = performance.now();
      await c.run();
      times[i].push((performance.now() - start) / 1000);
      console.log(`  round ${round + 1}: ${c.name} ${times[i].at(-1)!.toFixed(1)} s`);
    }
  }
  const median = (values: number[]) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const reference = median(times[0]);
  console.log(`${'case'.padEnd(42)} median s    fps   time / model alone`);
  for (const [i, c] of cases.entries()) {
    const t = median(times[i]);
    console.log(`${c.name.padEnd(42)} ${t.toFixed(1).padStart(8)} ${(frames.length / t).toFixed(2).padStart(6)}   ${(t / reference).toFixed(3)}x`);
  }
}

async function flicker(dir: string, datasets: string): Promise<void> {
  const clip = await makeStaticCameraClip(dir, join(datasets, 'Set5/hr/baby.png'), { width: 128, height: 96, frames: 48, crf: 23 });
  console.log(`\nflicker on a static-camera clip (${clip.width}x${clip.height}, ${clip.frames} frames, x264 crf 23, keyframe every 12): mean |change| between consecutive outputs over the static area, 8-bit levels`);
  console.log(`${'model'.padEnd(26)} ${'plain'.padStart(7)} ${'reuse 4'.padStart(8)} ${'reuse 8'.padStart(8)} ${'reuse 12'.padStart(9)}   frames skipped (8)`);
  for (const [label, model] of [['default (photo-x4)', undefined], ['compact-x4-gan', 'compact-x4-gan']] as const) {
    const values: string[] = [];
    let skipped = 0;
    for (const threshold of [undefined, 4, 8, 12]) {
      const out = join(dir, `flicker-${threshold ?? 'plain'}.mkv`);
      const result = await upscaleVideo(clip.path, out, { codec: 'libx264rgb', crf: 0, model, ...(threshold === undefined ? {} : { temporal: 'reuse', reuse: { threshold } }) });
      if (threshold === 8) skipped = result.reuse?.skippedFrames ?? 0;
      const meter = new FlickerMeter(staticMask(clip, 4));
      const { frames, width, height } = await frameList(out);
      for (const data of frames) meter.add({ width, height, channels: 3, bitDepth: 8, data });
      values.push(meter.value().toFixed(3));
    }
    console.log(`${label.padEnd(26)} ${values[0].padStart(7)} ${values[1].padStart(8)} ${values[2].padStart(8)} ${values[3].padStart(9)}   ${skipped}`);
  }
}

export async function videoBench(datasets: string, rounds: number, args: string[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'enhance-video-bench-'));
  try {
    if (!args.includes('--flicker-only')) await overhead(dir, rounds, args);
    if (!args.includes('--overhead-only')) await flicker(dir, datasets);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
