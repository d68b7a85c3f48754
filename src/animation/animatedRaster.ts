import type { Raster } from '../image/raster.js';

/** How an animation plays: each frame's delay in milliseconds, and how many times it plays (0: forever). */
export interface AnimationTiming {
  readonly delays: readonly number[];
  readonly loop: number;
}

/**
 * An animation as encoders take it: its frames stacked top to bottom in one raster (sharp's "tall
 * strip"), each `frameHeight` rows. Every frame is complete (already composited), so the writers need
 * no disposal or blending: each frame simply replaces the one before.
 */
export interface AnimatedRaster {
  readonly strip: Raster;
  readonly frameHeight: number;
  readonly timing: AnimationTiming;
}

export function frameCount(animation: AnimatedRaster): number {
  return animation.strip.height / animation.frameHeight;
}

/** Frame `index` as a raster sharing the strip's memory. */
export function frameOf(animation: AnimatedRaster, index: number): Raster {
  const { strip, frameHeight } = animation;
  const length = strip.width * frameHeight * strip.channels;
  return { width: strip.width, height: frameHeight, channels: strip.channels, bitDepth: strip.bitDepth, data: strip.data.subarray(index * length, (index + 1) * length) };
}
