import type { Raster } from '../image/raster.js';

/**
 * A remedy for flicker: where the input did not change, the previous output is kept. A model run on
 * each frame alone turns the codec's noise in static areas (and its keyframe pulses) into visible
 * shimmer, GAN models most, because they invent texture that depends on every input bit. Here an input
 * pixel counts as changed when any channel moved by more than `threshold` levels (8-bit units) from
 * the input the current output was made from (not from the previous frame: a slow fade still refreshes
 * once it adds up); changed pixels spread by `radius` input pixels, the reach of a model's context.
 * Output pixels over unchanged input keep the previous output exactly; a frame with no change at all
 * skips the model.
 */
export interface ReuseSettings {
  threshold: number;
  radius: number;
}

export const DEFAULT_REUSE: ReuseSettings = { threshold: 6, radius: 3 };

export class StaticAreaReuse {
  #reference?: Uint8Array | Uint16Array;
  #previous?: Raster;
  #refresh: Uint8Array;
  #rowMax: Uint8Array;
  readonly #xMap: Int32Array;
  readonly #yMap: Int32Array;
  /** Input pixels refreshed and frames skipped so far (what `--verbose` tells). */
  refreshedPixels = 0;
  skippedFrames = 0;

  constructor(
    private readonly input: { width: number; height: number },
    private readonly output: { width: number; height: number },
    private readonly bitDepth: 8 | 16,
    private readonly settings: ReuseSettings = DEFAULT_REUSE,
  ) {
    this.#refresh = new Uint8Array(input.width * input.height);
    this.#rowMax = new Uint8Array(input.width * input.height);
    this.#xMap = Int32Array.from({ length: output.width }, (_, x) => Math.min(input.width - 1, Math.floor(((x + 0.5) * input.width) / output.width)));
    this.#yMap = Int32Array.from({ length: output.height }, (_, y) => Math.min(input.height - 1, Math.floor(((y + 0.5) * input.height) / output.height)));
  }

  /** Forget the past (a segment boundary: each segment is made alone, so any run cut into segments gives the same frames). */
  reset(): void {
    this.#reference = undefined;
    this.#previous = undefined;
  }

  /** Mark the input pixels to refresh for this frame; false when nothing changed (the model need not run). */
  begin(frame: Uint8Array | Uint16Array): boolean {
    const { width, height } = this.input;
    const reference = this.#reference;
    if (!reference || !this.#previous) {
      this.#refresh.fill(1);
      return true;
    }
    const limit = this.settings.threshold * (this.bitDepth === 16 ? 257 : 1);
    const changed = this.#rowMax; // reused as scratch: changed pixels first
    let any = false;
    for (let p = 0, i = 0; p < width * height; p++, i += 3) {
      const moved = Math.abs(frame[i] - reference[i]) > limit || Math.abs(frame[i + 1] - reference[i + 1]) > limit || Math.abs(frame[i + 2] - reference[i + 2]) > limit;
      changed[p] = moved ? 1 : 0;
      any ||= moved;
    }
    if (!any) return false;
    dilate(changed, this.#refresh, width, height, this.settings.radius);
    return true;
  }

  /** The frame to emit: the model's output where the input changed, the previous output elsewhere. */
  finish(frame: Uint8Array | Uint16Array, modelOutput: Raster | undefined): Raster {
    const previous = this.#previous;
    if (!modelOutput) {
      this.skippedFrames++;
      return copyRaster(previous!);
    }
    const refresh = this.#refresh;
    if (!previous || !this.#reference) {
      this.#reference = frame.slice();
      this.#previous = copyRaster(modelOutput);
      this.refreshedPixels += refresh.length;
      return modelOutput;
    }
    const reference = this.#reference;
    for (let p = 0, i = 0; p < refresh.length; p++, i += 3) {
      if (!refresh[p]) continue;
      this.refreshedPixels++;
      reference[i] = frame[i];
      reference[i + 1] = frame[i + 1];
      reference[i + 2] = frame[i + 2];
    }
    const out = modelOutput.data;
    const kept = previous.data;
    const { width: outWidth, height: outHeight } = this.output;
    const channels = modelOutput.channels;
    for (let y = 0; y < outHeight; y++) {
      const rowBase = this.#yMap[y] * this.input.width;
      for (let x = 0; x < outWidth; x++) {
        if (refresh[rowBase + this.#xMap[x]]) continue;
        const o = (y * outWidth + x) * channels;
        for (let c = 0; c < channels; c++) out[o + c] = kept[o + c];
      }
    }
    kept.set(out);
    return modelOutput;
  }
}

function copyRaster(raster: Raster): Raster {
  return { ...raster, data: raster.data.slice() };
}

/** `into` = `mask` dilated by a square of half-side `radius` (a max filter, rows then columns). */
function dilate(mask: Uint8Array, into: Uint8Array, width: number, height: number, radius: number): void {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    // Two sweeps: distance to the nearest marked pixel on the left and on the right.
    let last = -Infinity;
    for (let x = 0; x < width; x++) {
      if (mask[base + x]) last = x;
      rows[base + x] = x - last <= radius ? 1 : 0;
    }
    last = Infinity;
    for (let x = width - 1; x >= 0; x--) {
      if (mask[base + x]) last = x;
      if (last - x <= radius) rows[base + x] = 1;
    }
  }
  for (let x = 0; x < width; x++) {
    let last = -Infinity;
    for (let y = 0; y < height; y++) {
      if (rows[y * width + x]) last = y;
      into[y * width + x] = y - last <= radius ? 1 : 0;
    }
    last = Infinity;
    for (let y = height - 1; y >= 0; y--) {
      if (rows[y * width + x]) last = y;
      if (last - y <= radius) into[y * width + x] = 1;
    }
  }
}
