import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { resizeImage, RESIZE_METHODS, type ResizeMethod } from '../../src/resize/resizeImage.js';
import type { ImageTensor } from '../../src/image/tensor.js';
import { maxAbsDifference, randomImage } from '../helpers.js';

// Reference kernels, written out from MATLAB's imresize.m independently of src/resize/kernels.ts.
const referenceKernels: Record<ResizeMethod, { width: number; f: (x: number) => number }> = {
  nearest: { width: 1, f: (x) => Number(-0.5 <= x && x < 0.5) },
  bilinear: { width: 2, f: (x) => (x + 1) * Number(-1 <= x && x < 0) + (1 - x) * Number(0 <= x && x <= 1) },
  bicubic: {
    width: 4,
    f: (x) => {
      const a = Math.abs(x);
      return (1.5 * a ** 3 - 2.5 * a ** 2 + 1) * Number(a <= 1) + (-0.5 * a ** 3 + 2.5 * a ** 2 - 4 * a + 2) * Number(1 < a && a <= 2);
    },
  },
  lanczos: {
    width: 6,
    f: (x) =>
      ((Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / 3) + Number.EPSILON) / ((Math.PI ** 2 * x ** 2) / 3 + Number.EPSILON)) *
      Number(Math.abs(x) < 3),
  },
};

/** Weights and source indices of one output coordinate, straight from MATLAB's contributions(). */
function referenceTaps(outIndex: number, inLength: number, outLength: number, method: ResizeMethod, border: 'symmetric' | 'replicate') {
  const scale = outLength / inLength;
  const { width, f } = referenceKernels[method];
  const antialias = scale < 1 && method !== 'nearest';
  const h = antialias ? (x: number) => scale * f(scale * x) : f;
  const kernelWidth = antialias ? width / scale : width;
  const u = (outIndex + 1) / scale + 0.5 * (1 - 1 / scale);
  const left = Math.floor(u - kernelWidth / 2);
  const taps: { index: number; weight: number }[] = [];
  for (let p = 0; p < Math.ceil(kernelWidth) + 2; p++) taps.push({ index: left + p, weight: h(u - (left + p)) });
  const total = taps.reduce((s, t) => s + t.weight, 0);
  const aux = [...Array(inLength).keys()].map((i) => i + 1);
  const mirror = [...aux, ...aux.slice().reverse()];
  return taps.map(({ index, weight }) => ({
    weight: weight / total,
    index: border === 'replicate' ? Math.min(Math.max(index, 1), inLength) - 1 : mirror[(((index - 1) % mirror.length) + mirror.length) % mirror.length] - 1,
  }));
}

/** The 2-D weighted sum for every output pixel, in one plain loop (no separable passes). */
function referenceResize(image: ImageTensor, outHeight: number, outWidth: number, method: ResizeMethod, border: 'symmetric' | 'replicate') {
  const out = new Float64Array(image.channels * outHeight * outWidth);
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < outHeight; y++) {
      const rows = referenceTaps(y, image.height, outHeight, method, border);
      for (let x = 0; x < outWidth; x++) {
        const columns = referenceTaps(x, image.width, outWidth, method, border);
        let sum = 0;
        for (const r of rows) for (const q of columns) sum += r.weight * q.weight * image.data[(c * image.height + r.index) * image.width + q.index];
        out[(c * outHeight + y) * outWidth + x] = Math.min(1, Math.max(0, sum));
      }
    }
  }
  return out;
}

describe('resizeImage matches a plain-loop MATLAB imresize reference', () => {
  const image = randomImage(2, 13, 11, 7, true);
  const sizes: [string, number, number][] = [
    ['x4 up', 52, 44],
    ['x3 up', 39, 33],
    ['x2 down', 7, 6],
    ['x3 down', 5, 4],
    ['non-integer both ways', 20, 8],
  ];
  for (const method of RESIZE_METHODS) {
    for (const border of ['symmetric', 'replicate'] as const) {
      for (const [label, outHeight, outWidth] of sizes) {
        it(`${method}, ${label}, ${border} border`, () => {
          const ours = resizeImage(image, { height: outHeight, width: outWidth, method, border });
          expect([ours.channels, ours.height, ours.width]).toEqual([2, outHeight, outWidth]);
          expect(maxAbsDifference(ours.data, referenceResize(image, outHeight, outWidth, method, border))).toBeLessThan(1e-6);
        });
      }
    }
  }
});

describe('resizeImage', () => {
  it('nearest x4 and x3 upscaling equals sharp nearest (pixel replication)', async () => {
    const image = randomImage(3, 9, 10, 3);
    for (const scale of [3, 4]) {
      const ours = resizeImage(image, { height: 9 * scale, width: 10 * scale, method: 'nearest' });
      const interleaved = new Uint8Array(9 * 10 * 3);
      for (let i = 0; i < 90; i++) for (let c = 0; c < 3; c++) interleaved[i * 3 + c] = Math.round(image.data[c * 90 + i] * 255);
      const theirs = await sharp(interleaved, { raw: { width: 10, height: 9, channels: 3 } })
        .resize(10 * scale, 9 * scale, { kernel: 'nearest' })
        .raw()
        .toBuffer();
      const size = 90 * scale * scale;
      let differing = 0;
      for (let i = 0; i < size; i++) for (let c = 0; c < 3; c++) if (Math.round(ours.data[c * size + i] * 255) !== theirs[i * 3 + c]) differing++;
      expect(differing).toBe(0);
    }
  });

  it('keeps a constant image constant with every kernel', () => {
    const image = randomImage(1, 6, 6);
    image.data.fill(0.5);
    for (const method of RESIZE_METHODS) {
      const out = resizeImage(image, { height: 17, width: 5, method });
      expect(maxAbsDifference(out.data, new Float32Array(out.data.length).fill(0.5))).toBeLessThan(1e-6);
    }
  });

  it('with quantize, every value is an integer level of that bit depth', () => {
    const out = resizeImage(randomImage(3, 8, 8, 5), { height: 32, width: 32, method: 'lanczos', quantize: 8 });
    for (const v of out.data) expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
  });

  it('rejects an empty output size', () => {
    expect(() => resizeImage(randomImage(1, 4, 4), { height: 0, width: 4, method: 'bicubic' })).toThrow(/positive integers/);
  });
});
