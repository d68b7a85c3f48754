// The frames of a segment are counted once, by the video pipeline.
export { segmentFramesFor } from '../video/upscaleVideo.js';

/** Frames [start, end) of a video, one queue job; `end` undefined: to the end of the video. */
export interface SegmentRange {
  index: number;
  start: number;
  end?: number;
}

/**
 * The segments of a video the container says has `frames` frames: that count may be an estimate
 * (duration x rate), so the last segment runs to the real end, and segments past it hold nothing.
 */
export function planSegments(frames: number, segmentFrames: number): SegmentRange[] {
  const count = Math.max(1, Math.ceil(frames / segmentFrames));
  return Array.from({ length: count }, (_, index) => ({ index, start: index * segmentFrames, ...(index < count - 1 ? { end: (index + 1) * segmentFrames } : {}) }));
}

/**
 * The segment files to join, in order, once every job has ended well: the `count` planned ones, then
 * those the last job wrote past the estimate (a segment each `segmentFrames` frames, as a local run
 * cuts them). A file may be missing only at the end, and only when its job said it held no frames (the
 * estimate was high); anything else is a problem, in one line.
 */
export function segmentsToJoin(count: number, present: (index: number) => boolean, framesOf: (index: number) => number | undefined): { indices: number[] } | { problem: string } {
  const indices: number[] = [];
  let pastEnd: number | undefined;
  for (let k = 0; k < count; k++) {
    if (present(k)) {
      if (pastEnd !== undefined) return { problem: `segment ${pastEnd} held no frames, but segment ${k} after it did` };
      indices.push(k);
    } else if (framesOf(k) === 0) {
      pastEnd ??= k;
    } else {
      return { problem: `segment ${k} is missing from the parts folder` };
    }
  }
  if (pastEnd === undefined) for (let k = count; present(k); k++) indices.push(k);
  return { indices };
}
