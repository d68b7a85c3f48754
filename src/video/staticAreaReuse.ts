import type { Raster } from '../image/raster.js';

/**
 * A remedy for flicker: where the input did not change, the previous output is kept. A model run on
 * each frame alone turns the codec's noise in static areas (above all its keyframe pulses, when a
 * whole picture is coded afresh) into visible shimmer, GAN models most, because they invent texture
 * that depends on every input bit. Here an input pixel counts as changed when the 3x3 mean of a
 * channel's change exceeds `threshold` levels (8-bit units), or the pixel alone moved by
 * `spikeFactor` thresholds, measured from the input the current output was made from (not from the
 * previous frame: a slow fade still refreshes once it adds up); changed pixels spread by `radius`
 * input pixels, the reach of a model's context. Output pixels over unchanged input keep the previous
 * output exactly; a frame with no change at all skips the model. The default threshold, 8, is above
 * the 99th percentile of x264's keyframe pulse at crf 23 (8.1 levels of 3x3 mean on a photo, measured
 * with bench/staticCameraClip.ts) and far below a moving edge's (75).
 */
export interface ReuseSettings {
  /** Levels (8-bit units) the local mean of a channel must move by for its pixels to count as changed. */
  threshold: number;
  /** Input pixels a change spreads by: the reach of a model's context. */
  radius: number;
  /** A single pixel moving by this many thresholds counts as changed even when its neighbourhood's mean did not (fine texture in motion). */
  spikeFactor: number;
}

export const DEFAULT_REUSE: ReuseSettings = { threshold: 8, radius: 3, spikeFactor: 4 };

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
    const unit = this.bitDepth === 16 ? 257 : 1;
    const changed = this.#rowMax; // reused as scratch: changed pixels first
    const any = markChanged(frame, reference, changed, width, height, this.settings.threshold * unit, this.settings.spikeFactor * this.settings.threshold * unit);
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

/**
 * Mark the pixels whose input changed: the 3x3 mean of a channel's signed change exceeds `limit`
 * (compression noise, which flips sign pixel to pixel, averages away; a real change does not), or one
 * pixel's change exceeds `spike`. Returns whether any pixel changed.
 */
function markChanged(frame: ArrayLike<number>, reference: ArrayLike<number>, changed: Uint8Array, width: number, height: number, limit: number, spike: number): boolean {
  const diff = new Float32Array(width * height * 3);
  for (let i = 0; i < diff.length; i++) diff[i] = frame[i] - reference[i];
  let any = false;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      let moved = false;
      for (let c = 0; c < 3 && !moved; c++) {
        const own = diff[p * 3 + c];
        if (Math.abs(own) > spike) {
          moved = true;
          break;
        }
        let sum = 0;
        let count = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= height) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if (xx < 0 || xx >= width) continue;
            sum += diff[(yy * width + xx) * 3 + c];
            count++;
          }
        }
        moved = Math.abs(sum / count) > limit;
      }
      changed[p] = moved ? 1 : 0;
      any ||= moved;
    }
  }
  return any;
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
