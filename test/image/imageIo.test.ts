import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../src/image/readImage.js';
import { writeImage } from '../../src/image/writeImage.js';
import { OUTPUT_FORMATS } from '../../src/image/formats.js';
import { createImageTensor } from '../../src/image/tensor.js';
import { maxAbsDifference, randomImage, temporaryDirectory } from '../helpers.js';

describe('readImage and writeImage', () => {
  it('keep RGBA, 8-bit, exactly', async () => {
    const dir = await temporaryDirectory();
    const image = randomImage(4, 6, 5, 11);
    await writeImage(join(dir, 'a.png'), image);
    const back = await readImage(join(dir, 'a.png'));
    expect(back.bitDepth).toBe(8);
    expect(back.image.channels).toBe(4);
    expect(maxAbsDifference(back.image.data, image.data)).toBeLessThan(1e-7);
  });

  it('keep 16-bit samples at full precision', async () => {
    const dir = await temporaryDirectory();
    const image = createImageTensor(3, 4, 4, Float32Array.from({ length: 48 }, (_, i) => (i * 1361) / 65535));
    await writeImage(join(dir, 'deep.png'), image, { bitDepth: 16 });
    expect((await sharp(join(dir, 'deep.png')).metadata()).depth).toBe('ushort');
    const back = await readImage(join(dir, 'deep.png'));
    expect(back.bitDepth).toBe(16);
    const levels = Array.from(back.image.data, (v) => Math.round(v * 65535));
    expect(levels).toEqual(Array.from({ length: 48 }, (_, i) => i * 1361));
  });

  it('keep gray as one channel and gray+alpha as two', async () => {
    const dir = await temporaryDirectory();
    for (const channels of [1, 2]) {
      const image = randomImage(channels, 5, 7, channels);
      const path = join(dir, `g${channels}.png`);
      await writeImage(path, image);
      expect((await sharp(path).metadata()).channels).toBe(channels);
      const back = await readImage(path);
      expect(back.image.channels).toBe(channels);
      expect(maxAbsDifference(back.image.data, image.data)).toBeLessThan(1e-7);
    }
  });

  it('read and write every output format', async () => {
    const dir = await temporaryDirectory();
    const image = randomImage(3, 16, 24, 5);
    for (const format of OUTPUT_FORMATS) {
      const path = join(dir, `image.${format}`);
      await writeImage(path, image);
      const back = await readImage(path);
      expect([back.image.channels, back.image.height, back.image.width]).toEqual([3, 16, 24]);
      if (format === 'png' || format === 'tiff') expect(maxAbsDifference(back.image.data, image.data)).toBeLessThan(1e-7);
    }
  });

  it('apply EXIF orientation', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'rotated.jpg');
    await sharp({ create: { width: 8, height: 4, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(path);
    const { image } = await readImage(path);
    expect([image.height, image.width]).toEqual([8, 4]);
  });

  it('read an indexed (palette) PNG as RGB', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'palette.png');
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ff8000' } }).png({ palette: true }).toFile(path);
    const { image } = await readImage(path);
    expect(image.channels).toBe(3);
    expect(Math.round(image.data[0] * 255)).toBe(255);
    expect(Math.round(image.data[16] * 255)).toBe(128);
  });

  it('name the file and the problem for a missing, non-image or truncated file', async () => {
    const dir = await temporaryDirectory();
    await expect(readImage(join(dir, 'missing.png'))).rejects.toThrow(/missing\.png: no such file/);
    await writeFile(join(dir, 'text.png'), 'not a picture');
    await expect(readImage(join(dir, 'text.png'))).rejects.toThrow(/text\.png: not an image/);
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } }).png({ compressionLevel: 0 }).toBuffer();
    await writeFile(join(dir, 'cut.png'), png.subarray(0, png.length >> 1));
    await expect(readImage(join(dir, 'cut.png'))).rejects.toThrow(/cut\.png: cannot decode: the file is truncated or corrupt/);
  });

  it('leave no file behind when a write fails', async () => {
    const dir = await temporaryDirectory();
    await expect(writeImage(join(dir, 'out.bmp'), randomImage(3, 2, 2))).rejects.toThrow(/unknown output format/);
    expect(await readdir(dir)).toEqual([]);
  });
});
