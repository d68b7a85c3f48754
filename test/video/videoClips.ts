import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hasFfmpeg } from '../../src/video/ffmpegTools.js';

/** Video tests need ffmpeg; `.ci/run` installs it (Debian's), as a user would. */
export const ffmpegAvailable = hasFfmpeg();

function run(program: string, args: string[]): Buffer {
  const result = spawnSync(program, args, { maxBuffer: 512 * 2 ** 20 });
  if (result.status !== 0) throw new Error(`${program} ${args.join(' ')} failed: ${result.stderr.toString().trim().split('\n').at(-1)}`);
  return result.stdout;
}

export function ffmpeg(args: string[]): Buffer {
  return run('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
}

export interface ClipOptions {
  width?: number;
  height?: number;
  rate?: number | string;
  seconds?: number;
  pixelFormat?: string;
  /** Extra output options (colour tags, codec). */
  extra?: string[];
  audio?: boolean;
  /** A source other than testsrc (lavfi graph). */
  source?: string;
}

/**
 * A clip made by ffmpeg: testsrc (a moving pattern with a counter) and a 440 Hz tone, x264 and AAC
 * unless told otherwise.
 */
export function makeClip(dir: string, name: string, o: ClipOptions = {}): string {
  const path = join(dir, name);
  const width = o.width ?? 48;
  const height = o.height ?? 32;
  const seconds = o.seconds ?? 1;
  const source = o.source ?? `testsrc=size=${width}x${height}:rate=${o.rate ?? 24}:duration=${seconds}`;
  const audio = o.audio === false ? [] : ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`];
  ffmpeg([
    '-f', 'lavfi', '-i', source,
    ...audio,
    ...(o.extra ?? ['-c:v', 'libx264', '-preset', 'veryfast']),
    '-pix_fmt', o.pixelFormat ?? 'yuv420p',
    ...(o.audio === false ? [] : ['-c:a', 'aac', '-shortest']),
    path,
  ]);
  return path;
}

/** One stream's entries as ffprobe reports them. */
export function probeStream(path: string, selector: string, entries: string): Record<string, string> {
  const text = run('ffprobe', ['-v', 'error', '-select_streams', selector, '-show_entries', `stream=${entries}`, '-of', 'json', path]).toString();
  const stream = (JSON.parse(text) as { streams: Record<string, unknown>[] }).streams[0] ?? {};
  return Object.fromEntries(Object.entries(stream).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
}

/** Frames actually decoded from the first video stream. */
export function countFrames(path: string): number {
  return Number(run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path]).toString().trim());
}

/** The video stream's duration in seconds (from the container, or the last frame's end). */
export function videoDuration(path: string): number {
  const text = run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', path]).toString().trim().split('\n');
  let end = 0;
  for (const line of text) {
    const [pts, duration] = line.split(',').map(Number);
    if (Number.isFinite(pts)) end = Math.max(end, pts + (Number.isFinite(duration) ? duration : 0));
  }
  return end;
}

/** A digest of each packet's bytes in the audio streams, copied out unchanged: equal lists mean bit-identical audio (side data such as MP4's skip-samples hashed apart, not compared). */
export function audioPacketDigests(path: string): string[] {
  return run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a', '-c', 'copy', '-f', 'framemd5', '-'])
    .toString()
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',')[5].trim());
}

/** The rotation of the first video stream's display matrix, in degrees (0 without one). */
export function rotationOf(path: string): number {
  const text = run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream_side_data=rotation', '-of', 'csv=p=0', path]).toString().trim();
  return text ? Number(text.split('\n')[0]) : 0;
}

/** Frame k of a video as interleaved RGB 8-bit (ffmpeg's own conversion), and its size. */
export function extractFrame(path: string, k: number, pngPath?: string): Buffer {
  const select = ['-vf', `select=eq(n\\,${k})`, '-frames:v', '1'];
  if (pngPath) {
    ffmpeg(['-i', path, ...select, pngPath]);
    return Buffer.alloc(0);
  }
  return ffmpeg(['-i', path, ...select, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
}

/** A digest of every decoded frame (the pixels, as rgb24): equal lists mean the same frames. */
export function frameDigests(path: string): string[] {
  return run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v:0', '-pix_fmt', 'rgb24', '-f', 'framemd5', '-'])
    .toString()
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(',').at(-1)!.trim());
}
