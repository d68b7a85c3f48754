import sharp from 'sharp';
import UPNG from 'upng-js';
import { describe, expect, it } from 'vitest';
import type { AnimatedRaster } from '../../src/animation/animatedRaster.js';
import { encodeAnimation } from '../../src/animation/animationWriter.js';
import { readApngTiming, type ByteReader } from '../../src/animation/apngChunks.js';

const readerOf = (bytes: Buffer): ByteReader => async (position, length) => bytes.subarray(position, position + length);
const arrayBufferOf = (bytes: Buffer) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;

describe('APNG chunks', () => {
  it('a still PNG has no animation timing', async () => {
    const png = await sharp({ create: { width: 4, height: 3, channels: 4, background: '#ff000080' } }).png().toBuffer();
    expect(await readApngTiming(readerOf(png))).toBeUndefined();
  });

  it("an APNG's frame count, plays and delays are read from acTL and fcTL alone", async () => {
    const frames = [1, 2, 3, 4].map((v) => new Uint8Array(6 * 5 * 4).fill(v * 50).buffer);
    const apng = Buffer.from(UPNG.encode(frames, 6, 5, 0, [20, 500, 70, 1000]));
    expect(await readApngTiming(readerOf(apng))).toEqual({ frames: 4, loop: 0, delays: [20, 500, 70, 1000] });
  });

  it('frames of 2x2 pixels (smaller than their chunks) are written whole, with their delays and plays, as upng-js decodes them', async () => {
    const pixels = [
      [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 0],
      [1, 2, 3, 255, 4, 5, 6, 128, 7, 8, 9, 255, 10, 11, 12, 255],
      [200, 100, 50, 255, 200, 100, 50, 255, 200, 100, 50, 255, 200, 100, 50, 255],
    ];
    const animation: AnimatedRaster = {
      strip: { width: 2, height: 6, channels: 4, bitDepth: 8, data: Uint8Array.from(pixels.flat()) },
      frameHeight: 2,
      timing: { delays: [30, 70000, 0], loop: 5 },
    };
    const apng = await encodeAnimation(animation, { format: 'png' });
    const decoded = UPNG.decode(arrayBufferOf(apng));
    expect(decoded.tabs.acTL).toEqual({ num_frames: 3, num_plays: 5 });
    // 70 s does not fit 16 bits of milliseconds: written in hundredths of a second.
    expect(decoded.frames.map((f) => f.delay)).toEqual([30, 70000, 0]);
    const rgba = UPNG.toRGBA8(decoded).map((frame) => Array.from(new Uint8Array(frame)));
    // The fully transparent pixel's colour is not kept by every decoder; compare it as transparent.
    expect(rgba[0].slice(0, 12)).toEqual(pixels[0].slice(0, 12));
    expect(rgba[0][15]).toBe(0);
    expect(rgba.slice(1)).toEqual(pixels.slice(1));
    expect((await sharp(apng).metadata()).width).toBe(2);
  });
});
