import type { Raster } from '../image/raster.js';

/**
 * The flicker of a video over its static areas: the mean absolute change between consecutive output
 * frames, in 8-bit levels, over the pixels `mask` marks (1: the scene does not move there, so any change
 * is flicker). 0 is perfectly stable; plain per-frame upscaling of a compressed clip measures a few
 * levels. Computed as frames arrive, so a long clip is never held in memory.
 */
export class FlickerMeter {
  #previous?: Uint8Array | Uint16Array;
  #sum = 0;
  #count = 0;

  constructor(private readonly mask: Uint8Array) {}

  add(frame: Raster): void {
    const scale = frame.bitDepth === 16 ? 1 / 257 : 1;
    const previous = this.#previous;
    if (previous) {
      const { data, channels } = frame;
      for (let p = 0; p < this.mask.length; p++) {
        if (!this.mask[p]) continue;
        for (let c = 0, i = p * channels; c < channels; c++, i++) this.#sum += Math.abs(data[i] - previous[i]) * scale;
        this.#count += channels;
      }
    }
    this.#previous = frame.data.slice();
  }

  /** Mean absolute change per sample, 8-bit levels (NaN before two frames). */
  value(): number {
    return this.#sum / this.#count;
  }
}
