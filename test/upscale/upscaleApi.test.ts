import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../src/image/readImage.js';
import { cropImage } from '../../src/image/tensor.js';
import { writeImage } from '../../src/image/writeImage.js';
import { upscale } from '../../src/upscale/upscale.js';
import { datasetsDir, maxAbsDifference, randomImage, temporaryDirectory } from '../helpers.js';

describe('upscale() library API', async () => {
  const { image: baboon } = await readImage(join(datasetsDir, 'Set14/hr/baboon.png'));
  const picture = cropImage(baboon, 0, 0, 96, 128);

  it('reports progress per tile, and raw() gives interleaved samples like sharp', async () => {
    const calls: [number, number][] = [];
    const { data, info } = await upscale(picture, { tile: 32, onProgress: (done, total) => calls.push([done, total]) }).raw();
    expect(info).toEqual({ width: 512, height: 384, channels: 3, depth: 8 });
    expect(data).toBeInstanceOf(Uint8Array);
    expect(data.length).toBe(512 * 384 * 3);
    // 128 x 96 in tiles of 32 sharing 8 pixels: 5 columns x 4 rows.
    expect(calls).toEqual(Array.from({ length: 20 }, (_, i) => [i + 1, 20]));
  });

  it('tiled and untiled results agree, and tensor() matches raw()', async () => {
    const tiled = await upscale(picture, { tile: 48 }).tensor();
    const whole = await upscale(picture, { tile: 'auto' }).tensor();
    expect(maxAbsDifference(tiled.data, whole.data)).toBeLessThanOrEqual(1 / 255 + 1e-6);
  });

  it('a signal aborted mid-way rejects with "cancelled" and stops the work', async () => {
    const controller = new AbortController();
    let tiles = 0;
    const job = upscale(picture, { tile: 32, signal: controller.signal, onProgress: (done) => { tiles = done; if (done === 2) controller.abort(); } });
    await expect(job.toBuffer()).rejects.toThrow('cancelled');
    expect(tiles).toBe(2);
  });

  it('the event loop stays responsive while the model runs', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await upscale(cropImage(baboon, 0, 0, 256, 256), { tile: 'auto' }).raw();
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });

  it('self-ensemble (tta) changes the result a little, not a lot', async () => {
    const plain = await upscale(picture).tensor();
    const ensembled = await upscale(picture, { tta: true }).tensor();
    const difference = maxAbsDifference(plain.data, ensembled.data);
    expect(difference).toBeGreaterThan(1 / 255);
    expect(difference).toBeLessThan(0.25);
  });

  it('keeps an embedded ICC profile, converting the pixels back into it', async () => {
    const dir = await temporaryDirectory();
    const input = join(dir, 'p3.png');
    const rgb = randomImage(3, 16, 16, 7, true);
    await sharp(Buffer.from(Array.from(rgb.data.keys(), (i) => Math.round(rgb.data[(i % 3) * 256 + Math.floor(i / 3)] * 255))), { raw: { width: 16, height: 16, channels: 3 } })
      .withIccProfile('p3')
      .png()
      .toFile(input);
    await upscale(input, { scale: 2, method: 'nearest' }).toFile(join(dir, 'out.png'));
    const [inMeta, outMeta] = await Promise.all([sharp(input).metadata(), sharp(join(dir, 'out.png')).metadata()]);
    expect(outMeta.icc?.equals(inMeta.icc!)).toBe(true);
    // The file's own (P3) values survive: nearest x2 of the input's stored samples.
    const stored = await sharp(input, { ignoreIcc: true }).raw().toBuffer();
    const written = await sharp(join(dir, 'out.png'), { ignoreIcc: true }).raw().toBuffer();
    let max = 0;
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(written[(y * 32 + x) * 3 + c] - stored[((y >> 1) * 16 + (x >> 1)) * 3 + c]));
    expect(max).toBeLessThanOrEqual(2);
  });

  it('rejects unknown options with a line that names them', () => {
    expect(() => upscale(picture, { tile: 8 } as never)).toThrow(/option 'tile'/);
    expect(() => upscale(picture, { tiles: 8 } as never)).toThrow("upscale: unknown option 'tiles'");
  });

  it('writes what it computes to a file', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), picture);
    await upscale(join(dir, 'in.png'), { tile: 64 }).toFile(join(dir, 'out.webp'), { quality: 100 });
    const meta = await sharp(join(dir, 'out.webp')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 512, 384]);
  });
});
