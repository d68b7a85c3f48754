import type { Writable } from 'node:stream';
import { EnhanceError } from '../errors.js';
import { chromaSubsampling, codecArgs, isRgbFormat, type EncodeSettings } from './encodeSettings.js';
import { exitOf, ffmpegPath, ffmpegTools, spawnTool, StderrTail } from './ffmpegTools.js';
import { frameRateText, type VideoInfo } from './probeVideo.js';

/** An ffmpeg encoding frames written to it into one video-only file. */
export interface FrameEncoder {
  /** Resolves when ffmpeg has taken the frame (at most a pipe's worth waits: memory stays bounded). */
  write(frame: Uint8Array): Promise<void>;
  /** No more frames: the file is finished and complete when this resolves. */
  finish(): Promise<void>;
  /** Stop now; the file is left incomplete (the caller removes it). */
  abort(): Promise<void>;
}

/** What an encoder is given: the frames' layout and where the file goes. */
export interface EncodeTarget {
  width: number;
  height: number;
  bitDepth: 8 | 16;
  /** ffmpeg's muxer name ('mp4', 'matroska', 'webm'): the path is a temporary without the extension. */
  muxer: string;
  path: string;
}

/** ffmpeg's scale-filter name of a stream's colour matrix (the RGB -> YUV conversion must be the decoder's inverse). */
const MATRIX: Record<string, string> = { bt709: 'bt709', bt470bg: 'bt470', smpte170m: 'smpte170m', bt2020nc: 'bt2020', bt2020c: 'bt2020', smpte240m: 'smpte240m', fcc: 'fcc' };

/**
 * The filter chain from RGB to the encoder's format: the source's matrix and range (as its tags say;
 * untagged video is BT.601 limited both ways, ffmpeg's default), and its pixel aspect.
 */
export function encodeFilters(info: VideoInfo, settings: EncodeSettings, target: Pick<EncodeTarget, 'width' | 'height'>): string {
  const filters: string[] = [];
  const even = evenSize(settings.pixelFormat, target);
  // 4:2:0 needs even sides: an odd result loses its last column or row (said before encoding starts).
  if (even.width !== target.width || even.height !== target.height) filters.push(`crop=${even.width}:${even.height}:0:0`);
  if (!isRgbFormat(settings.pixelFormat)) {
    const matrix = info.colorSpace ? MATRIX[info.colorSpace] : undefined;
    const range = info.colorRange === 'pc' ? 'pc' : info.colorRange === 'tv' ? 'tv' : undefined;
    const scale = [matrix && `out_color_matrix=${matrix}`, range && `out_range=${range}`].filter(Boolean).join(':');
    if (scale) filters.push(`scale=${scale}`);
  }
  filters.push(`format=${settings.pixelFormat}`);
  filters.push(`setsar=${info.sampleAspect.num}/${info.sampleAspect.den}`);
  return filters.join(',');
}

/** The size a frame is encoded at: sides the pixel format subsamples rounded down to even. */
export function evenSize(pixelFormat: string, size: { width: number; height: number }): { width: number; height: number } {
  const sub = chromaSubsampling(pixelFormat);
  return { width: sub.x ? size.width - (size.width % 2) : size.width, height: sub.y ? size.height - (size.height % 2) : size.height };
}

/** The colour tags written on the stream: the source's, unchanged. */
export function colorTagArgs(info: VideoInfo): string[] {
  const args: string[] = [];
  if (info.colorRange) args.push('-color_range', info.colorRange);
  if (info.colorPrimaries) args.push('-color_primaries', info.colorPrimaries);
  if (info.colorTransfer) args.push('-color_trc', info.colorTransfer);
  if (info.colorSpace) args.push('-colorspace', info.colorSpace);
  return args;
}

/** Start ffmpeg encoding raw RGB frames from its stdin into `target.path`. */
export function startEncoder(info: VideoInfo, settings: EncodeSettings, target: EncodeTarget): FrameEncoder {
  const { ffmpeg } = ffmpegTools();
  const args = [
    '-v', 'error', '-nostdin', '-y',
    '-f', 'rawvideo', '-pix_fmt', target.bitDepth === 16 ? 'rgb48le' : 'rgb24',
    '-s', `${target.width}x${target.height}`, '-framerate', frameRateText(info.frameRate),
    '-i', 'pipe:0',
    '-vf', encodeFilters(info, settings, target),
    ...codecArgs(settings),
    ...colorTagArgs(info),
    '-an', '-sn', '-dn',
    '-f', target.muxer,
    ffmpegPath(target.path),
  ];
  // At the lowest priority: the codec fills the cycles the model leaves idle instead of taking the model's
  // (its lookahead queue absorbs the frames meanwhile; npm run bench -- video measures the difference).
  const child = spawnTool(ffmpeg, args, 'pipe', { background: true });
  const tail = new StderrTail(child);
  const exited = exitOf(child);
  const stdin = child.stdin as Writable;
  let broken: Error | undefined;
  // A closed pipe (ffmpeg gave up) is reported by finish() with ffmpeg's own words, not as EPIPE.
  stdin.on('error', (error) => (broken = error));
  const failure = async () => new EnhanceError(`encoding with ${settings.codec} failed: ${tail.lastLine()} (exit ${await exited})`, { file: info.path });
  return {
    write: async (frame) => {
      if (broken || child.exitCode !== null) throw await failure();
      if (!stdin.write(frame)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            stdin.off('drain', done);
            child.off('close', done);
            resolve();
          };
          stdin.on('drain', done);
          child.on('close', done);
        });
      }
    },
    finish: async () => {
      stdin.end();
      const code = await exited;
      if (code !== 0) throw await failure();
    },
    abort: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
