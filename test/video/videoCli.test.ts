import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, temporaryDirectory } from '../helpers.js';
import { audioPacketDigests, countFrames, extractFrame, ffmpeg, ffmpegAvailable, makeClip, probeStream, rotationOf, videoDuration } from './videoClips.js';

/**
 * `enhance upscale clip.mp4` as a user runs it, on clips ffmpeg makes here (testsrc, a moving pattern,
 * with a tone). What must hold: the asked size, every frame, the frame rate, the audio untouched, the
 * duration, and each frame the very picture `enhance upscale` makes of that frame alone.
 */
describe.skipIf(!ffmpegAvailable)('enhance upscale <video>', () => {
  let dir: string;
  let clip: string;

  beforeAll(async () => {
    dir = await temporaryDirectory();
    clip = makeClip(dir, 'clip.mp4', { width: 48, height: 32, rate: 24, seconds: 1 });
  });

  it('keeps frame count, rate, audio and duration; frame k is the upscale of frame k (lossless x264 RGB)', async () => {
    const out = join(dir, 'clip_x4.mkv');
    const result = await runCli(['upscale', clip, '-o', out, '--codec', 'libx264rgb', '--crf', '0', '--segment', '0.3']);
    expect(result.stderr).toContain('24 frames, 192x128');
    expect(result.code).toBe(0);
    const video = probeStream(out, 'v:0', 'width,height,r_frame_rate,codec_name');
    expect(video).toMatchObject({ width: '192', height: '128', r_frame_rate: '24/1', codec_name: 'h264' });
    expect(countFrames(out)).toBe(24);
    expect(audioPacketDigests(out)).toEqual(audioPacketDigests(clip));
    expect(audioPacketDigests(out).length).toBeGreaterThan(10);
    expect(Math.abs(videoDuration(out) - videoDuration(clip))).toBeLessThanOrEqual(1 / 24 + 1e-6);
    // Segments of 7 frames (0.3 s): frames 6/7 and 20/21 sit on joins.
    for (const k of [0, 6, 7, 13, 23]) {
      const still = join(dir, `frame${k}.png`);
      extractFrame(clip, k, still);
      const upscaled = join(dir, `frame${k}_x4.png`);
      expect((await runCli(['upscale', still, '-o', upscaled])).code).toBe(0);
      const expected = await sharp(upscaled).removeAlpha().raw().toBuffer();
      expect(extractFrame(out, k).equals(expected), `frame ${k}`).toBe(true);
    }
  });

  it('writes mp4 by default next to the input, the x4 default model, x264', async () => {
    const result = await runCli(['upscale', clip]);
    expect(result.code).toBe(0);
    const out = join(dir, 'clip_x4.mp4');
    expect(probeStream(out, 'v:0', 'width,height,r_frame_rate,pix_fmt')).toMatchObject({ width: '192', height: '128', r_frame_rate: '24/1', pix_fmt: 'yuv420p' });
    expect(countFrames(out)).toBe(24);
    expect(audioPacketDigests(out)).toEqual(audioPacketDigests(clip));
  });

  it('keeps 10-bit, the colour tags, the pixel aspect and the rotation (mp4); bakes the rotation into .mkv', async () => {
    const unrotated = makeClip(dir, 'tagged-upright.mp4', {
      width: 32,
      height: 24,
      rate: '30000/1001',
      seconds: 0.5,
      pixelFormat: 'yuv420p10le',
      extra: ['-c:v', 'libx264', '-preset', 'veryfast', '-color_range', 'tv', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-aspect', '16:9'],
    });
    // A phone's portrait clip: the rotation is a display matrix on the stream (set on a copy, as ffmpeg 5 does it).
    const tagged = join(dir, 'tagged.mp4');
    ffmpeg(['-i', unrotated, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', tagged]);
    const before = probeStream(tagged, 'v:0', 'pix_fmt,color_range,color_space,color_transfer,color_primaries,sample_aspect_ratio,r_frame_rate');
    expect(Math.abs(rotationOf(tagged))).toBe(90);
    const mp4 = join(dir, 'tagged_x2.mp4');
    const result = await runCli(['upscale', tagged, '-o', mp4, '--scale', '2']);
    expect(result.code, result.stderr).toBe(0);
    const after = probeStream(mp4, 'v:0', 'width,height,pix_fmt,color_range,color_space,color_transfer,color_primaries,sample_aspect_ratio,r_frame_rate');
    expect(after).toMatchObject({ width: '64', height: '48', pix_fmt: 'yuv420p10le', color_range: 'tv', color_space: 'bt709', color_transfer: 'bt709', color_primaries: 'bt709', r_frame_rate: '30000/1001' });
    expect(after.sample_aspect_ratio).toBe(before.sample_aspect_ratio);
    expect(rotationOf(mp4)).toBe(rotationOf(tagged));
    expect(countFrames(mp4)).toBe(countFrames(tagged));

    // Matroska keeps no rotation: the frames come out turned (48 wide, 64 tall after a quarter turn).
    const mkv = join(dir, 'tagged_x2.mkv');
    expect((await runCli(['upscale', tagged, '-o', mkv, '--scale', '2'])).code).toBe(0);
    expect(probeStream(mkv, 'v:0', 'width,height')).toMatchObject({ width: '48', height: '64' });
    expect(rotationOf(mkv)).toBe(0);
  });

  it('writes webm with VP9 and Opus (AAC cannot go in .webm: re-encoded, and said)', async () => {
    const out = join(dir, 'clip.webm');
    const result = await runCli(['upscale', clip, '-o', out, '--scale', '2', '--method', 'bicubic']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('re-encoded with libopus');
    expect(probeStream(out, 'v:0', 'codec_name,width')).toMatchObject({ codec_name: 'vp9', width: '96' });
    expect(probeStream(out, 'a:0', 'codec_name')).toMatchObject({ codec_name: 'opus' });
    expect(countFrames(out)).toBe(24);
  });

  it('refuses in one line: a codec the container cannot hold, a playlist posing as .mp4, no ffmpeg', async () => {
    const webm = await runCli(['upscale', clip, '-o', join(dir, 'bad.webm'), '--codec', 'libx264']);
    expect(webm.code).toBe(2);
    expect(webm.stderr.trim().split('\n')).toEqual([expect.stringContaining('--codec libx264: a .webm file cannot hold it')]);

    // An HLS playlist named .mp4 would make ffmpeg open what it lists (any file, any URL): refused.
    const { writeFile } = await import('node:fs/promises');
    const playlist = join(dir, 'playlist.mp4');
    await writeFile(playlist, '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:/etc/hostname\n#EXT-X-ENDLIST\n');
    const hls = await runCli(['upscale', playlist, '-o', join(dir, 'hls.mp4')]);
    expect(hls.code).toBe(2);
    expect(hls.stderr).toMatch(/playlist\.mp4: reading the video \(ffprobe\) failed/);
    expect(hls.stderr).not.toMatch(/\n\s+at /);

    const none = await runCli(['upscale', clip, '-o', join(dir, 'none.mp4')], { env: { ...process.env, PATH: '/nonexistent' } });
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('video needs ffmpeg and ffprobe on PATH');
    expect((await readdir(dir)).filter((name) => name.startsWith('bad') || name.startsWith('hls') || name.startsWith('none') || name.includes('.parts'))).toEqual([]);
  });
});
