import { EnhanceError } from '../errors.js';
import { exitOf, ffmpegPath, ffmpegTools, SAFE_INPUT, spawnTool, StderrTail } from './ffmpegTools.js';
import { framesOf } from './frameStream.js';
import type { VideoInfo } from './probeVideo.js';

/** What is decoded: a range of frames [start, end) of the video stream, upright or as stored. */
export interface DecodeRange {
  start: number;
  /** Exclusive; undefined: to the end. */
  end?: number;
  /** Apply the rotation to the pixels (for containers that cannot keep it as metadata). */
  applyRotation: boolean;
}

/** Frames as interleaved RGB: 8-bit for 8-bit video, 16-bit (rgb48le) for deeper video. */
export interface DecodedFrames {
  width: number;
  height: number;
  bitDepth: 8 | 16;
  frames: AsyncGenerator<Buffer>;
  /** Stops the decoder (frames not taken are dropped) and waits for it. */
  close(): Promise<void>;
}

/** The frame size the decoder delivers: swapped for a quarter turn that is applied. */
export function decodedSize(info: VideoInfo, applyRotation: boolean): { width: number; height: number } {
  const quarter = applyRotation && (info.rotation === 90 || info.rotation === 270);
  return quarter ? { width: info.height, height: info.width } : { width: info.width, height: info.height };
}

/**
 * Decode frames with ffmpeg into a pipe: raw RGB, a couple of frames ahead at most. The colour
 * conversion is ffmpeg's own (its matrix and range from the stream's tags), the same an extraction
 * with `ffmpeg -i clip -pix_fmt rgb24 frame.png` makes. `trim` counts decoded frames, so a range
 * starts exactly at its frame whatever the keyframes; `passthrough` neither drops nor repeats frames.
 */
export function decodeFrames(info: VideoInfo, range: DecodeRange): DecodedFrames {
  const { ffmpeg } = ffmpegTools();
  const bitDepth = info.bitsPerSample > 8 ? 16 : 8;
  const { width, height } = decodedSize(info, range.applyRotation);
  const trim = range.start > 0 || range.end !== undefined ? [`trim=start_frame=${range.start}${range.end !== undefined ? `:end_frame=${range.end}` : ''}`] : [];
  const args = [
    '-v', 'error', '-nostdin',
    ...(range.applyRotation ? [] : ['-noautorotate']),
    ...SAFE_INPUT,
    '-i', ffmpegPath(info.path),
    '-map', `0:${info.videoIndex}`,
    ...(trim.length ? ['-vf', trim.join(',')] : []),
    '-fps_mode', 'passthrough',
    '-f', 'rawvideo', '-pix_fmt', bitDepth === 16 ? 'rgb48le' : 'rgb24',
    'pipe:1',
  ];
  // At the lowest priority: the codec fills the cycles the model leaves idle instead of taking the model's.
  const child = spawnTool(ffmpeg, args, 'ignore', { background: true });
  const tail = new StderrTail(child);
  const exited = exitOf(child);
  const frameBytes = width * height * 3 * (bitDepth / 8);
  let closing = false;
  async function* frames(): AsyncGenerator<Buffer> {
    yield* framesOf(child.stdout!, frameBytes);
    const code = await exited;
    if (code !== 0 && !closing) throw new EnhanceError(`decoding failed: ${tail.lastLine()}`, { file: info.path });
  }
  return {
    width,
    height,
    bitDepth,
    frames: frames(),
    close: async () => {
      closing = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
