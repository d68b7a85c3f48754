import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { degradationResize } from '../../src/degradation/degradationResize.js';
import { defaultDegradationSettings, degradationSettingsSchema } from '../../src/degradation/degradationSettings.js';
import { jpegRoundTrip } from '../../src/degradation/jpegRoundTrip.js';
import { degradeSecondOrder } from '../../src/degradation/secondOrderDegradation.js';
import { readImage } from '../../src/image/readImage.js';
import { createImageTensor, cropImage, type ImageTensor } from '../../src/image/tensor.js';
import { Random } from '../../src/nn/random.js';
import { datasetsDir } from '../helpers.js';

function randomImage(channels: number, height: number, width: number, seed: number): ImageTensor {
  const random = new Random(seed);
  return createImageTensor(channels, height, width, Float32Array.from({ length: channels * height * width }, () => random.next()));
}

const toInterleaved = (image: ImageTensor) => {
  const plane = image.height * image.width;
  const out = new Uint8Array(plane * image.channels);
  for (let c = 0; c < image.channels; c++) for (let i = 0; i < plane; i++) out[i * image.channels + c] = Math.round(image.data[c * plane + i] * 255);
  return out;
};

describe('JPEG round trip', () => {
  it('is what libjpeg gives at the drawn quality: the same bytes as encoding and decoding with sharp directly', async () => {
    const image = randomImage(3, 24, 40, 4);
    for (const quality of [30, 62.4, 95]) {
      const ours = await jpegRoundTrip(image, quality);
      const raw = toInterleaved(image);
      const encoded = await sharp(raw, { raw: { width: 40, height: 24, channels: 3 } }).jpeg({ quality: Math.round(quality), chromaSubsampling: '4:2:0' }).toBuffer();
      const decoded = await sharp(encoded).raw().toBuffer();
      expect(Array.from(toInterleaved(ours))).toEqual(Array.from(decoded));
    }
  });

  it('loses more at lower quality', async () => {
    const { image } = await readImage(`${datasetsDir}/Set14/hr/baboon.png`);
    const patch = cropImage(image, 0, 0, 96, 96);
    const error = async (q: number) => {
      const out = await jpegRoundTrip(patch, q);
      return out.data.reduce((a, v, i) => a + (v - patch.data[i]) ** 2, 0);
    };
    expect(await error(30)).toBeGreaterThan(2 * (await error(95)));
  });
});

describe('resize modes', () => {
  it("'area' averages the pixels each output covers; bilinear without antialiasing reads only the nearest two", () => {
    const row = createImageTensor(1, 1, 8, Float32Array.of(0, 1, 0, 1, 0, 1, 0, 1));
    const area = degradationResize(row, 1, 4, 'area');
    expect(Array.from(area.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
    // Halving: output x samples input position 2x + 0.5, halfway between two pixels.
    const bilinear = degradationResize(row, 1, 4, 'bilinear');
    for (const v of bilinear.data) expect(v).toBeCloseTo(0.5, 6);
    const quarter = degradationResize(createImageTensor(1, 1, 8, Float32Array.of(0, 0, 1, 1, 0, 0, 1, 1)), 1, 2, 'bilinear');
    // Positions 1.5 and 5.5: halfway between a 0 and a 1; an antialiased resize would average four.
    expect(Array.from(quarter.data).map((v) => +v.toFixed(6))).toEqual([0.5, 0.5]);
  });
});

describe('second-order degradation', () => {
  const hr = randomImage(3, 96, 80, 9);

  it('gives an 8-bit LR of the LR size', async () => {
    const lr = await degradeSecondOrder(hr, 4, defaultDegradationSettings(), 1);
    expect([lr.channels, lr.height, lr.width]).toEqual([3, 24, 20]);
    for (const v of lr.data) expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
  });

  it('is the same picture from the same seed, and another from another seed', async () => {
    const settings = defaultDegradationSettings();
    const [a, b, c] = await Promise.all([degradeSecondOrder(hr, 4, settings, 5), degradeSecondOrder(hr, 4, settings, 5), degradeSecondOrder(hr, 4, settings, 6)]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('with every step turned off is the plain resize to the LR size', async () => {
    const off = degradationSettingsSchema.parse({
      first: { blur: { probability: 0 }, resize: { probabilities: [0, 0, 1] }, noise: { gaussian_probability: 1, sigma: [0, 0] }, jpeg_quality: [100, 100] },
      second: { probability: 0 },
      final: { resize_first_probability: 1, sinc_probability: 0, jpeg_quality: [100, 100], modes: ['area'] },
    });
    const flat = createImageTensor(3, 64, 64, new Float32Array(3 * 64 * 64).fill(0.5));
    const lr = await degradeSecondOrder(flat, 4, off, 3);
    // Quality-100 JPEG of a flat grey keeps it within a level.
    for (const v of lr.data) expect(Math.abs(v - 0.5)).toBeLessThanOrEqual(1.5 / 255);
  });

  it('refuses a range given backwards, naming it', () => {
    const parsed = degradationSettingsSchema.safeParse({ second: { noise: { sigma: [25, 1] } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['second', 'noise', 'sigma']);
  });
});
