import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { ffmpegPath, ffmpegTools, runTool, SAFE_INPUT } from './ffmpegTools.js';
import type { StreamSummary, VideoInfo } from './probeVideo.js';
import { keepsRotation, MUXER, type VideoContainer } from './videoFormats.js';

/** The audio codecs each container holds as they are; others are re-encoded (to the container's usual codec). */
const AUDIO_COPY: Record<VideoContainer, Set<string> | undefined> = {
  mp4: new Set(['aac', 'mp3', 'ac3', 'eac3', 'alac', 'flac', 'opus']),
  mkv: undefined,
  webm: new Set(['opus', 'vorbis']),
};
const AUDIO_ENCODER: Record<VideoContainer, string[]> = { mp4: ['aac', '-b:a', '192k'], mkv: [], webm: ['libopus', '-b:a', '160k'] };

const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);
/** The subtitle codec each container holds; text subtitles are converted to it, bitmap ones cannot be. */
const SUBTITLE_CODEC: Record<VideoContainer, string | undefined> = { mp4: 'mov_text', mkv: undefined, webm: 'webvtt' };

/** How each stream beside the video goes into the output, and what the user should be told of it. */
export interface StreamPlan {
  args: string[];
  notes: string[];
}

/** The maps and codecs of the audio and subtitle streams of `info` in `container` (input 1 of the mux). */
export function streamPlan(info: VideoInfo, container: VideoContainer): StreamPlan {
  const args: string[] = [];
  const notes: string[] = [];
  info.audio.forEach((stream: StreamSummary, k) => {
    args.push('-map', `1:${stream.index}`);
    const copy = AUDIO_COPY[container];
    if (!copy || copy.has(stream.codec)) args.push(`-c:a:${k}`, 'copy');
    else {
      args.push(`-c:a:${k}`, ...AUDIO_ENCODER[container]);
      notes.push(`audio stream ${stream.index} (${stream.codec}) cannot go into .${container} as it is: re-encoded with ${AUDIO_ENCODER[container][0]}; write .mkv to keep it untouched`);
    }
  });
  let kept = 0;
  for (const stream of info.subtitles) {
    const target = SUBTITLE_CODEC[container];
    if (target && stream.codec !== target && !TEXT_SUBTITLES.has(stream.codec)) {
      notes.push(`subtitle stream ${stream.index} (${stream.codec}, pictures) cannot go into .${container}: left out; write .mkv to keep it`);
      continue;
    }
    args.push('-map', `1:${stream.index}`, `-c:s:${kept}`, !target || stream.codec === target ? 'copy' : target);
    kept++;
  }
  // Fonts of styled subtitles travel as attachments in Matroska.
  if (container === 'mkv' && info.others.length > 0) args.push('-map', '1:t?', '-c:t', 'copy');
  return { args, notes };
}

/**
 * Join the encoded segments without re-encoding them (ffmpeg's concat demuxer) and add the source's
 * audio, subtitles, chapters and global tags, into `output` atomically. `seconds`: cut the other
 * streams at the video's end (a partial video).
 */
export async function muxSegments(info: VideoInfo, segments: string[], partsDir: string, output: string, container: VideoContainer, options: { seconds?: number; signal?: AbortSignal } = {}): Promise<string[]> {
  const { ffmpeg } = ffmpegTools();
  const list = join(partsDir, 'segments.ffconcat');
  // Names relative to the list (the demuxer's safe mode refuses anything else); ours, never the user's.
  await writeFile(list, `ffconcat version 1.0\n${segments.map((path) => `file ${basename(path)}\n`).join('')}`);
  const plan = streamPlan(info, container);
  const rotation = keepsRotation(container) && info.rotation !== 0 ? ['-metadata:s:v:0', `rotate=${info.rotation}`] : [];
  await writeFileAtomic(output, (temporary) =>
    runTool(
      ffmpeg,
      [
        '-v', 'error', '-nostdin', '-y',
        '-protocol_whitelist', 'file', '-f', 'concat', '-i', ffmpegPath(list),
        ...SAFE_INPUT, '-i', ffmpegPath(info.path),
        '-map', '0:v:0', '-c:v', 'copy',
        ...plan.args,
        '-map_metadata', '1', '-map_chapters', '1',
        ...rotation,
        ...(options.seconds !== undefined ? ['-t', options.seconds.toFixed(6)] : []),
        ...(container === 'mp4' ? ['-movflags', '+faststart'] : []),
        '-f', MUXER[container],
        ffmpegPath(temporary),
      ],
      { file: output, what: 'joining the segments and the audio (ffmpeg)', signal: options.signal },
    ).then(() => undefined),
  );
  return plan.notes;
}
