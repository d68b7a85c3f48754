import cliProgress from 'cli-progress';
import type { VideoProgress } from '../video/upscaleVideo.js';

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  return seconds >= 90 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}

export interface FrameProgress {
  update(progress: VideoProgress): void;
  stop(): void;
}

/** Frames, fps and ETA of one video: a bar on a terminal, a line every tenth (or half-minute) otherwise. */
export function createFrameProgress(label: string, stream: NodeJS.WriteStream = process.stderr): FrameProgress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, hideCursor: true, etaBuffer: 50, format: `${label} [{bar}] {value}/{total} frames | {speed} fps | ETA {eta_formatted}` },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p) => {
        if (!started) {
          bar.start(p.totalFrames, p.frames, { speed: '-' });
          started = true;
        }
        bar.setTotal(p.totalFrames);
        bar.update(p.frames, { speed: p.fps.toFixed(2) });
      },
      stop: () => bar.stop(),
    };
  }
  let lastTenth = 0;
  let lastLine = Date.now();
  return {
    update: (p) => {
      const tenth = Math.floor((10 * p.frames) / Math.max(1, p.totalFrames));
      if (tenth <= lastTenth && Date.now() - lastLine < 30_000) return;
      lastTenth = tenth;
      lastLine = Date.now();
      const eta = p.fps > 0 ? `, ETA ${formatSeconds((p.totalFrames - p.frames) / p.fps)}` : '';
      stream.write(`upscale ${label}: ${p.frames}/${p.totalFrames} frames, ${p.fps.toFixed(2)} fps${eta}\n`);
    },
    stop: () => {},
  };
}
