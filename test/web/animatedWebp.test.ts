import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { muxAnimatedWebp } from '../../web/src/animatedWebp.js';

const WIDTH = 24;
const HEIGHT = 16;

/** RGBA samples of frame `index`: a gradient that moves with the frame, alpha optional. */
function framePixels(index: number, withAlpha: boolean): Buffer {
  const data = Buffer.alloc(WIDTH * HEIGHT * 4);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const p = 4 * (y * WIDTH + x);
      data[p] = (x * 10 + index * 60) & 255;
      data[p + 1] = (y * 15) & 255;
      data[p + 2] = index * 90;
      data[p + 3] = withAlpha ? Math.round((255 * x) / (WIDTH - 1)) : 255;
    }
  }
  return data;
}

/** The RGBA samples libwebp decodes from a file: a still, or every page of an animation stacked. */
function decodedRgba(webp: Uint8Array, animated = false): Promise<Buffer> {
  return sharp(webp, { animated }).ensureAlpha().raw().toBuffer();
}

function chunkNames(file: Uint8Array): string[] {
  const names: string[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (let offset = 12; offset + 8 <= file.length; ) {
    const size = view.getUint32(offset + 4, true);
    names.push(Buffer.from(file.subarray(offset, offset + 4)).toString('latin1'));
    offset += 8 + size + (size & 1);
  }
  return names;
}

describe('muxAnimatedWebp', () => {
  it('muxes three lossless stills into an animation libwebp reads back: 3 pages, the delays, the loop count, each page the still', async () => {
    const stills = await Promise.all([0, 1, 2].map((i) => sharp(framePixels(i, false), { raw: { width: WIDTH, height: HEIGHT, channels: 4 } }).webp({ lossless: true }).toBuffer()));
    const animated = muxAnimatedWebp(stills.map((webp, i) => ({ webp, durationMs: 100 * (i + 1) })), 2, WIDTH, HEIGHT);

    const metadata = await sharp(animated, { animated: true }).metadata();
    expect([metadata.format, metadata.width, metadata.pageHeight, metadata.pages]).toEqual(['webp', WIDTH, HEIGHT, 3]);
    expect(metadata.delay).toEqual([100, 200, 300]);
    expect(metadata.loop).toBe(2);
    expect(chunkNames(animated)).toEqual(['VP8X', 'ANIM', 'ANMF', 'ANMF', 'ANMF']);
    const pages = await decodedRgba(animated, true);
    const frameBytes = WIDTH * HEIGHT * 4;
    for (const [i, still] of stills.entries()) {
      expect(pages.subarray(i * frameBytes, (i + 1) * frameBytes).equals(await decodedRgba(still)), `page ${i}`).toBe(true);
      expect((await decodedRgba(still)).equals(framePixels(i, false)), `still ${i} is lossless`).toBe(true);
    }
  });

  it('carries lossy frames with alpha (VP8X, ICCP, ALPH, VP8 as a browser writes them) and sets the alpha flag', async () => {
    const stills = await Promise.all(
      [0, 1, 2].map((i) => sharp(framePixels(i, true), { raw: { width: WIDTH, height: HEIGHT, channels: 4 } }).withIccProfile('srgb').webp({ quality: 80 }).toBuffer()),
    );
    expect(chunkNames(stills[0])).toEqual(['VP8X', 'ICCP', 'ALPH', 'VP8 ']);
    const animated = muxAnimatedWebp(stills.map((webp) => ({ webp, durationMs: 40 })), 0, WIDTH, HEIGHT);

    expect(animated[20] & 0x10).toBe(0x10); // VP8X's alpha flag (the byte after the chunk header)
    const metadata = await sharp(animated, { animated: true }).metadata();
    expect([metadata.pages, metadata.loop, metadata.hasAlpha]).toEqual([3, 0, true]);
    expect(metadata.delay).toEqual([40, 40, 40]);
    const pages = await decodedRgba(animated, true);
    const frameBytes = WIDTH * HEIGHT * 4;
    for (const [i, still] of stills.entries()) {
      expect(pages.subarray(i * frameBytes, (i + 1) * frameBytes).equals(await decodedRgba(still)), `page ${i}`).toBe(true);
    }
  });

  it('refuses a frame whose size is not the animation size, naming the frame', async () => {
    const still = await sharp(framePixels(0, false), { raw: { width: WIDTH, height: HEIGHT, channels: 4 } }).webp({ lossless: true }).toBuffer();
    const smaller = await sharp(still).resize(12, 8).webp().toBuffer();
    expect(() => muxAnimatedWebp([{ webp: still, durationMs: 100 }, { webp: smaller, durationMs: 100 }], 0, WIDTH, HEIGHT)).toThrow(
      'animated WebP: frame 2 is 12x8, not the animation\'s 24x16',
    );
    expect(() => muxAnimatedWebp([{ webp: new Uint8Array(20), durationMs: 100 }], 0, WIDTH, HEIGHT)).toThrow('animated WebP: frame 1 is not a WebP file');
  });
});
