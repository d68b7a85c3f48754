import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeStaticCameraClip, staticMask, type StaticCameraClip } from '../../bench/staticCameraClip.js';
import { decodeFrames } from '../../src/video/frameDecoder.js';
import { FlickerMeter } from '../../src/video/flickerMeter.js';
import { probeVideo } from '../../src/video/probeVideo.js';
import { upscaleVideo } from '../../src/video/upscaleVideo.js';
import { datasetsDir, temporaryDirectory } from '../helpers.js';
import { ffmpegAvailable } from './videoClips.js';

async function decodedFrames(path: string): Promise<Buffer[]> {
  const decoder = decodeFrames(await probeVideo(path), { start: 0, applyRotation: false });
  const frames: Buffer[] = [];
  for await (const frame of decoder.frames) frames.push(Buffer.from(frame));
  return frames;
}

function flickerOf(frames: Buffer[], clip: StaticCameraClip): number {
  const meter = new FlickerMeter(staticMask(clip, 4));
  for (const data of frames) meter.add({ width: clip.width * 4, height: clip.height * 4, channels: 3, bitDepth: 8, data });
  return meter.value();
}

/**
 * The flicker remedy on a static-camera clip (a photo with a sliding square, x264 at crf 23 with a
 * keyframe every half second): the flicker over the static area (mean change between consecutive
 * output frames) must fall well below plain per-frame upscaling's, while the moving square is
 * upscaled afresh in every frame. Lossless RGB output, so frames compare exactly.
 */
describe.skipIf(!ffmpegAvailable)('--temporal reuse', () => {
  let clip: StaticCameraClip;
  let plain: Buffer[];
  let reused: Buffer[];

  beforeAll(async () => {
    const dir = await temporaryDirectory();
    clip = await makeStaticCameraClip(dir, join(datasetsDir, 'Set5/hr/baby.png'), { crf: 23 });
    const common = { codec: 'libx264rgb', crf: 0 };
    await upscaleVideo(clip.path, join(dir, 'plain.mkv'), common);
    await upscaleVideo(clip.path, join(dir, 'reuse.mkv'), { ...common, temporal: 'reuse' });
    plain = await decodedFrames(join(dir, 'plain.mkv'));
    reused = await decodedFrames(join(dir, 'reuse.mkv'));
  }, 120_000);

  it('at least halves the flicker of the static area', () => {
    expect(reused).toHaveLength(clip.frames);
    const before = flickerOf(plain, clip);
    const after = flickerOf(reused, clip);
    expect(before).toBeGreaterThan(0.05);
    expect(after).toBeLessThan(before / 2);
  });

  it('upscales the moving square afresh in every frame', () => {
    const width = clip.width * 4;
    for (const t of [5, 12, 30]) {
      // The square's footprint in frame t (see makeStaticCameraClip), inset by a pixel.
      const left = (2 + t) % (clip.width - 6);
      for (let y = 4 * 4 + 1; y < 10 * 4 - 1; y++) {
        const start = (y * width + left * 4 + 1) * 3;
        const end = (y * width + (left + 6) * 4 - 1) * 3;
        expect(reused[t].subarray(start, end).equals(plain[t].subarray(start, end)), `frame ${t} row ${y}`).toBe(true);
      }
    }
  });
});
