import { z } from 'zod';
import { EnhanceError } from '../errors.js';
import { ffmpegPath, ffmpegTools, runTool, SAFE_INPUT } from './ffmpegTools.js';

/** A rational number as ffmpeg writes it ('24000/1001'), kept exact: the encoder is given the same string. */
export interface Rational {
  num: number;
  den: number;
}

export interface StreamSummary {
  index: number;
  codec: string;
}

/** What enhance needs to know of a video before decoding it: its first video stream and what else it carries. */
export interface VideoInfo {
  path: string;
  /** The container as ffprobe names it ('mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm', 'avi'). */
  container: string;
  /** The index of the video stream decoded (the first that is not cover art). */
  videoIndex: number;
  /** The stored frame size (before any rotation is applied for display). */
  width: number;
  height: number;
  frameRate: Rational;
  /** Frames in the stream: the container's count when it has one, else duration x rate. */
  frames: number;
  durationSeconds: number;
  pixelFormat: string;
  /** 8, or more for 10/12/16-bit video (decoded as 16-bit RGB then). */
  bitsPerSample: number;
  colorRange?: string;
  colorSpace?: string;
  colorTransfer?: string;
  colorPrimaries?: string;
  /** Degrees of the display matrix (as ffprobe reports it), 0 when none. */
  rotation: number;
  sampleAspect: Rational;
  audio: StreamSummary[];
  subtitles: StreamSummary[];
  /** Streams neither video, audio nor subtitles (data, attachments: fonts of subtitles). */
  others: StreamSummary[];
}

const rational = z.string().regex(/^\d+[/:]\d+$/);
const numeric = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite());

const streamSchema = z.object({
  index: z.number().int().min(0),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  pix_fmt: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  nb_frames: numeric.optional(),
  duration: numeric.optional(),
  bits_per_raw_sample: numeric.optional(),
  color_range: z.string().optional(),
  color_space: z.string().optional(),
  color_transfer: z.string().optional(),
  color_primaries: z.string().optional(),
  sample_aspect_ratio: z.string().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).passthrough()).optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).max(1000),
  format: z.object({ format_name: z.string(), duration: numeric.optional() }),
});

function parseRational(text: string | undefined): Rational | undefined {
  if (!text || !rational.safeParse(text).success) return undefined;
  const [num, den] = text.split(/[/:]/).map(Number);
  return num > 0 && den > 0 ? { num, den } : undefined;
}

/** The bits per sample a pixel format names ('yuv420p10le' -> 10), else what the stream says, else 8. */
function bitsOf(pixelFormat: string, raw: number | undefined): number {
  const named = /p(\d+)(le|be)$/.exec(pixelFormat) ?? /(\d+)(le|be)$/.exec(pixelFormat);
  if (named && Number(named[1]) >= 9 && Number(named[1]) <= 16) return Number(named[1]);
  return raw !== undefined && raw > 8 && raw <= 16 ? raw : 8;
}

/** ffprobe's 'unknown' / 'unspecified' mean the tag is absent. */
const tag = (value: string | undefined) => (value && !['unknown', 'unspecified', 'reserved'].includes(value) ? value : undefined);

/** The largest frame enhance decodes (a side): bounds each frame buffer before ffmpeg is asked for one. */
export const MAX_VIDEO_SIDE = 8192;

/** Read a video's streams with ffprobe (through the same safe-input options as decoding). */
export async function probeVideo(path: string, signal?: AbortSignal): Promise<VideoInfo> {
  const { ffprobe } = ffmpegTools();
  const text = await runTool(ffprobe, ['-v', 'error', ...SAFE_INPUT, '-show_streams', '-show_format', '-of', 'json', ffmpegPath(path)], {
    file: path,
    what: 'reading the video (ffprobe)',
    signal,
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EnhanceError('ffprobe gave no readable description of the file', { file: path });
  }
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new EnhanceError('ffprobe gave an unexpected description of the file', { file: path });
  const { streams, format } = parsed.data;
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video || !video.width || !video.height || !video.pix_fmt) throw new EnhanceError('has no video stream', { file: path });
  if (video.width > MAX_VIDEO_SIDE || video.height > MAX_VIDEO_SIDE) {
    throw new EnhanceError(`is ${video.width}x${video.height}; enhance decodes video up to ${MAX_VIDEO_SIDE} pixels a side`, { file: path });
  }
  // The average rate is the real one for variable-rate phone clips; r_frame_rate is a tick of their clock.
  const frameRate = parseRational(video.avg_frame_rate) ?? parseRational(video.r_frame_rate);
  if (!frameRate) throw new EnhanceError('has no frame rate', { file: path });
  const durationSeconds = video.duration ?? format.duration ?? 0;
  const frames = video.nb_frames && video.nb_frames > 0 ? video.nb_frames : Math.round((durationSeconds * frameRate.num) / frameRate.den);
  const rotationTag = video.tags?.rotate === undefined ? undefined : Number(video.tags.rotate);
  const rotation = ((Math.round(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? rotationTag ?? 0) % 360) + 360) % 360;
  const summary = (s: z.infer<typeof streamSchema>): StreamSummary => ({ index: s.index, codec: s.codec_name ?? 'unknown' });
  return {
    path,
    container: format.format_name,
    videoIndex: video.index,
    width: video.width,
    height: video.height,
    frameRate,
    frames,
    durationSeconds,
    pixelFormat: video.pix_fmt,
    bitsPerSample: bitsOf(video.pix_fmt, video.bits_per_raw_sample),
    colorRange: tag(video.color_range),
    colorSpace: tag(video.color_space),
    colorTransfer: tag(video.color_transfer),
    colorPrimaries: tag(video.color_primaries),
    rotation,
    sampleAspect: parseRational(video.sample_aspect_ratio) ?? { num: 1, den: 1 },
    audio: streams.filter((s) => s.codec_type === 'audio').map(summary),
    subtitles: streams.filter((s) => s.codec_type === 'subtitle').map(summary),
    others: streams.filter((s) => s !== video && !['audio', 'subtitle'].includes(s.codec_type ?? '')).map(summary),
  };
}

export function frameRateText(rate: Rational): string {
  return `${rate.num}/${rate.den}`;
}
