import type { TensorData } from '../graph/tensorData.js';
import type { ImageTensor } from '../image/tensor.js';
import { Random } from '../nn/random.js';
import type { TrainingImage } from './trainingSet.js';

export interface PatchSamplerOptions {
  scale: number;
  /** LR patch side; the HR patch is scale times larger. */
  lrPatch: number;
  batch: number;
  /** How many patches each image gives per epoch (the epoch order is shuffled). */
  patchesPerImage: number;
  /** Random flips and 90/180/270 degree rotations. */
  augment: boolean;
  seed: number;
}

/** Everything needed to continue the exact same sequence of batches after a restart. */
export interface PatchSamplerState {
  random: number;
  order: number[];
  cursor: number;
  epoch: number;
}

/**
 * Random aligned LR/HR patch pairs, batch after batch, reproducibly from a seed. Each epoch visits
 * every image `patchesPerImage` times in shuffled order; crops and augmentations are random.
 */
export class PatchSampler {
  private random: Random;
  private order: number[] = [];
  private cursor = 0;
  private epoch = 0;

  constructor(
    private readonly images: readonly TrainingImage[],
    private readonly options: PatchSamplerOptions,
  ) {
    if (images.length === 0) throw new Error('PatchSampler: no training images large enough for the patch size');
    this.random = new Random(options.seed);
    this.shuffle();
  }

  private shuffle(): void {
    const order: number[] = [];
    for (let i = 0; i < this.images.length; i++) for (let k = 0; k < this.options.patchesPerImage; k++) order.push(i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.random.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    this.order = order;
    this.cursor = 0;
  }

  get state(): PatchSamplerState {
    return { random: this.random.position, order: [...this.order], cursor: this.cursor, epoch: this.epoch };
  }

  restore(state: PatchSamplerState): void {
    this.random = new Random(state.random);
    this.order = [...state.order];
    this.cursor = state.cursor;
    this.epoch = state.epoch;
  }

  /**
   * The next image of the epoch's order (a new shuffled epoch when one ends) and a random crop of
   * `size` on the plane `on` picks, with one of the 8 symmetries when augmenting.
   */
  private drawPatch(on: (image: TrainingImage) => ImageTensor, size: number): { image: TrainingImage; top: number; left: number; transform: number } {
    if (this.cursor >= this.order.length) {
      this.epoch++;
      this.shuffle();
    }
    const image = this.images[this.order[this.cursor++]];
    const plane = on(image);
    const top = Math.floor(this.random.next() * (plane.height - size + 1));
    const left = Math.floor(this.random.next() * (plane.width - size + 1));
    const transform = this.options.augment ? Math.floor(this.random.next() * 8) : 0;
    return { image, top, left, transform };
  }

  /** The next batch: `lr` [B, C, p, p] and `hr` [B, C, p*s, p*s]. */
  next(): { lr: TensorData; hr: TensorData } {
    const { batch, lrPatch, scale } = this.options;
    const channels = this.images[0].hr.channels;
    const hrPatch = lrPatch * scale;
    const lr = new Float32Array(batch * channels * lrPatch * lrPatch);
    const hr = new Float32Array(batch * channels * hrPatch * hrPatch);
    for (let b = 0; b < batch; b++) {
      const { image, top, left, transform } = this.drawPatch((i) => i.lr, lrPatch);
      copyPatch(image.lr, top, left, lrPatch, transform, lr, b * channels * lrPatch * lrPatch);
      copyPatch(image.hr, top * scale, left * scale, hrPatch, transform, hr, b * channels * hrPatch * hrPatch);
    }
    return {
      lr: { dtype: 'float32', shape: [batch, channels, lrPatch, lrPatch], data: lr },
      hr: { dtype: 'float32', shape: [batch, channels, hrPatch, hrPatch], data: hr },
    };
  }

  /**
   * The next batch of HR patches only, each with a seed drawn for it: for a degradation that makes
   * the LR itself. The seeds come from the sampler's generator, so a resumed run draws the same ones.
   */
  nextHighResolution(): { hr: TensorData; seeds: number[] } {
    const { batch, lrPatch, scale } = this.options;
    const channels = this.images[0].hr.channels;
    const hrPatch = lrPatch * scale;
    const hr = new Float32Array(batch * channels * hrPatch * hrPatch);
    const seeds: number[] = [];
    for (let b = 0; b < batch; b++) {
      const { image, top, left, transform } = this.drawPatch((i) => i.hr, hrPatch);
      seeds.push(Math.floor(this.random.next() * 4294967296));
      copyPatch(image.hr, top, left, hrPatch, transform, hr, b * channels * hrPatch * hrPatch);
    }
    return { hr: { dtype: 'float32', shape: [batch, channels, hrPatch, hrPatch], data: hr }, seeds };
  }
}

/**
 * Copy a size x size patch into `out`, applying one of the 8 symmetries of the square: bit 0 flips
 * horizontally, bit 1 flips vertically, bit 2 transposes (with the flips, all rotations).
 */
function copyPatch(image: ImageTensor, top: number, left: number, size: number, transform: number, out: Float32Array, offset: number): void {
  const flipX = (transform & 1) !== 0;
  const flipY = (transform & 2) !== 0;
  const swap = (transform & 4) !== 0;
  const plane = image.height * image.width;
  for (let c = 0; c < image.channels; c++) {
    const base = c * plane;
    const target = offset + c * size * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let sy = swap ? x : y;
        let sx = swap ? y : x;
        if (flipY) sy = size - 1 - sy;
        if (flipX) sx = size - 1 - sx;
        out[target + y * size + x] = image.data[base + (top + sy) * image.width + left + sx];
      }
    }
  }
}
