import { EnhanceError } from '../errors.js';
import { ffmpegTools, runTool } from './ffmpegTools.js';
import type { VideoInfo } from './probeVideo.js';
import type { VideoContainer } from './videoFormats.js';

/** How the upscaled frames are encoded: what `--codec`, `--crf`, `--preset` asked, with the codec's defaults filled in. */
export interface EncodeSettings {
  codec: string;
  /** Constant-quality level (lower is better; 0 is lossless for x264/x265); undefined for codecs without one (ffv1). */
  crf?: number;
  preset?: string;
  /** The encoder's input pixel format, from the source's where the codec has it (10-bit stays 10-bit). */
  pixelFormat: string;
}

export interface EncodeRequest {
  codec?: string;
  crf?: number;
  preset?: string;
}

/**
 * Each codec's defaults and how its knobs are spelled. Constant quality: x264's 23 is its own default;
 * an upscale deserves better (18, visually lossless). Speed: the encoder shares the CPU with the
 * model, so x264/x265 default to 'veryfast': on 2 cores, 320x240 -> 1280x960, 'medium' made the whole
 * pipeline 1.31x the model alone, 'veryfast' 1.04x (npm run bench -- video); --preset slow buys smaller files.
 */
const CODEC_DEFAULTS: Record<string, { crf?: number; preset?: string; crfArgs?: (crf: number) => string[]; presetFlag?: string; extra?: string[] }> = {
  libx264: { crf: 18, preset: 'veryfast', presetFlag: '-preset' },
  libx264rgb: { crf: 18, preset: 'veryfast', presetFlag: '-preset' },
  libx265: { crf: 20, preset: 'veryfast', presetFlag: '-preset', extra: ['-x265-params', 'log-level=error'] },
  'libvpx-vp9': { crf: 30, crfArgs: (crf) => ['-crf', String(crf), '-b:v', '0'], presetFlag: '-cpu-used', preset: '4', extra: ['-row-mt', '1', '-deadline', 'good'] },
  libvpx: { crf: 10, crfArgs: (crf) => ['-crf', String(crf), '-b:v', '10M'], presetFlag: '-cpu-used', preset: '4' },
  'libaom-av1': { crf: 30, crfArgs: (crf) => ['-crf', String(crf), '-b:v', '0'], presetFlag: '-cpu-used', preset: '6', extra: ['-row-mt', '1'] },
  libsvtav1: { crf: 30, presetFlag: '-preset', preset: '8' },
  ffv1: {},
};

/** The video codecs each container holds (ffmpeg's muxers refuse the others, late and cryptically). */
const CONTAINER_CODECS: Record<VideoContainer, RegExp | undefined> = {
  mp4: /^(libx264|libx265|libsvtav1|libaom-av1|h264_|hevc_|av1_|libvpx-vp9)/,
  mkv: undefined,
  webm: /^(libvpx|libvpx-vp9|libaom-av1|libsvtav1|av1_)/,
};

export const DEFAULT_CODEC: Record<VideoContainer, string> = { mp4: 'libx264', mkv: 'libx264', webm: 'libvpx-vp9' };

const supportedFormats = new Map<string, string[]>();

/** The pixel formats an encoder takes, as this ffmpeg says (`ffmpeg -h encoder=...`); an unknown encoder is one line. */
async function encoderPixelFormats(codec: string): Promise<string[]> {
  const known = supportedFormats.get(codec);
  if (known) return known;
  if (!/^[a-z0-9_-]+$/i.test(codec)) throw new EnhanceError(`--codec ${codec}: not an encoder name`);
  const text = await runTool(ffmpegTools().ffmpeg, ['-hide_banner', '-h', `encoder=${codec}`], { file: 'ffmpeg', what: `asking ffmpeg about ${codec}` });
  if (!/Encoder \S+ \[/.test(text)) throw new EnhanceError(`--codec ${codec}: this ffmpeg has no such encoder (ffmpeg -encoders lists them)`);
  if (!/General capabilities:.*|Threading capabilities/.test(text) && !/Supported pixel formats/.test(text)) throw new EnhanceError(`--codec ${codec}: not a video encoder`);
  const line = /Supported pixel formats: (.*)/.exec(text);
  const formats = line ? line[1].trim().split(/\s+/) : [];
  supportedFormats.set(codec, formats);
  return formats;
}

const depthOf = (format: string) => Number(/(\d+)(le|be)$/.exec(format)?.[1] ?? 8);

/**
 * The encoder's pixel format: the source's when the codec takes it; else, for a deep source, the
 * codec's 4:2:0 (or first) format of the same depth; else yuv420p, the one every player decodes.
 */
export function choosePixelFormat(source: string, sourceBits: number, supported: readonly string[]): string {
  if (supported.length === 0 || supported.includes(source)) return source;
  if (sourceBits > 8) {
    const deep = supported.filter((f) => depthOf(f) >= sourceBits && depthOf(f) <= 12);
    const match = deep.find((f) => f.startsWith('yuv420p')) ?? deep[0];
    if (match) return match;
  }
  return supported.includes('yuv420p') ? 'yuv420p' : supported.find((f) => depthOf(f) === 8) ?? supported[0];
}

/** The settings for encoding this video into `container`, refused in one line when the container cannot hold the codec. */
export async function encodeSettingsFor(info: VideoInfo, container: VideoContainer, request: EncodeRequest): Promise<EncodeSettings> {
  const codec = request.codec ?? DEFAULT_CODEC[container];
  const allowed = CONTAINER_CODECS[container];
  if (allowed && !allowed.test(codec)) throw new EnhanceError(`--codec ${codec}: a .${container} file cannot hold it; use --codec ${DEFAULT_CODEC[container]} or write .mkv`);
  const defaults = CODEC_DEFAULTS[codec] ?? {};
  const supported = await encoderPixelFormats(codec);
  const pixelFormat = choosePixelFormat(info.pixelFormat, info.bitsPerSample, supported);
  return { codec, crf: request.crf ?? defaults.crf, preset: request.preset ?? defaults.preset, pixelFormat };
}

/** The encoder's arguments for these settings. */
export function codecArgs(settings: EncodeSettings): string[] {
  const defaults = CODEC_DEFAULTS[settings.codec] ?? { presetFlag: '-preset' };
  const args = ['-c:v', settings.codec];
  if (settings.crf !== undefined) args.push(...(defaults.crfArgs?.(settings.crf) ?? ['-crf', String(settings.crf)]));
  if (settings.preset !== undefined && defaults.presetFlag) args.push(defaults.presetFlag, settings.preset);
  args.push(...(defaults.extra ?? []));
  if (settings.codec === 'libx265') args.push('-tag:v', 'hvc1'); // what Apple players look for in mp4
  return args;
}

/** Whether the encoder's pixel format is RGB (no YUV matrix involved). */
export function isRgbFormat(format: string): boolean {
  return /^(rgb|bgr|gbr|argb|abgr|rgba|bgra|0rgb|rgb0|0bgr|bgr0)/.test(format);
}

/** Whether the format subsamples chroma horizontally / vertically (so sizes must be even). */
export function chromaSubsampling(format: string): { x: boolean; y: boolean } {
  if (/^(yuv|yuva)420|^nv12|^nv21|^p010|^p016/.test(format)) return { x: true, y: true };
  if (/^(yuv|yuva)422|^nv16|^nv20|^yuyv|^uyvy/.test(format)) return { x: true, y: false };
  if (/^(yuv|yuva)440/.test(format)) return { x: false, y: true };
  if (/^(yuv|yuva)411/.test(format)) return { x: true, y: false };
  return { x: false, y: false };
}
