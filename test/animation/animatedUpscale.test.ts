import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import UPNG from 'upng-js';
import { describe, expect, it } from 'vitest';
import { upscale, type UpscaleOptions } from '../../src/upscale/upscale.js';
import { runCli, temporaryDirectory } from '../helpers.js';

const WIDTH = 20;
const HEIGHT = 16;
const DELAYS = [100, 250, 40];
const LOOP = 3;
const BICUBIC_X2: UpscaleOptions = { method: 'bicubic', scale: 2 };

/** Frame k: its own colour, diagonal stripes that move with k, and (when `transparent`) a see-through left edge. */
function framePixels(k: number, transparent: boolean): Buffer {
  const data = Buffer.alloc(WIDTH * HEIGHT * 4);
  const base = [[220, 40, 40], [40, 200, 60], [50, 70, 230]][k];
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const stripe = (x + y + 3 * k) % 6 < 3 ? 1 : 0.45;
      const i = (y * WIDTH + x) * 4;
      data.set([...base.map((v) => Math.round(v * stripe)), transparent && x < 5 ? 0 : 255], i);
    }
  }
  return data;
}

function strip(transparent: boolean): Buffer {
  return Buffer.concat(DELAYS.map((_, k) => framePixels(k, transparent)));
}

const rawStrip = { width: WIDTH, height: HEIGHT * DELAYS.length, channels: 4 as const, pageHeight: HEIGHT };

async function animatedGif(dir: string, transparent = true): Promise<string> {
  const path = join(dir, transparent ? 'clear.gif' : 'opaque.gif');
  await sharp(strip(transparent), { raw: rawStrip }).gif({ delay: DELAYS, loop: LOOP, keepDuplicateFrames: true }).toFile(path);
  return path;
}

async function animatedWebp(dir: string): Promise<string> {
  const path = join(dir, 'anim.webp');
  await sharp(strip(false), { raw: rawStrip }).webp({ lossless: true, delay: DELAYS, loop: LOOP }).toFile(path);
  return path;
}

/** upng-js writes every APNG with num_plays 0 (forever). */
async function animatedPng(dir: string): Promise<string> {
  const path = join(dir, 'anim.png');
  const frames = DELAYS.map((_, k) => new Uint8Array(framePixels(k, true)).buffer);
  await writeFile(path, Buffer.from(UPNG.encode(frames, WIDTH, HEIGHT, 0, DELAYS)));
  return path;
}

const arrayBufferOf = (bytes: Buffer) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;

interface Frames {
  width: number;
  height: number;
  delays: number[];
  loop: number;
  /** RGBA, 8-bit, each frame whole. */
  rgba: Uint8Array[];
}

/** An animation's frames as the independent decoders see them: sharp for GIF and WebP, upng-js for APNG. */
async function decodeAnimation(bytes: Buffer): Promise<Frames> {
  if (bytes.subarray(1, 4).toString('latin1') === 'PNG') {
    const decoded = UPNG.decode(arrayBufferOf(bytes));
    const rgba = UPNG.toRGBA8(decoded).map((frame) => new Uint8Array(frame));
    return { width: decoded.width, height: decoded.height, delays: decoded.frames.map((f) => f.delay), loop: decoded.tabs.acTL?.num_plays ?? -1, rgba };
  }
  const metadata = await sharp(bytes).metadata();
  const { data, info } = await sharp(bytes, { pages: -1 }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const height = info.pageHeight ?? info.height;
  const pages = info.height / height;
  const length = info.width * height * 4;
  const rgba = Array.from({ length: pages }, (_, k) => new Uint8Array(data.subarray(k * length, (k + 1) * length)));
  return { width: info.width, height, delays: metadata.delay ?? [], loop: metadata.loop ?? -1, rgba };
}

/** Frame k of the input as a still PNG, taken by the independent decoder. */
async function stillFrame(input: string, k: number): Promise<Buffer> {
  const { rgba } = await decodeAnimation(await readFile(input));
  return sharp(rgba[k], { raw: { width: WIDTH, height: HEIGHT, channels: 4 } }).png().toBuffer();
}

/** 8-bit RGB or RGBA samples as RGBA. */
function asRgba(data: Uint8Array | Uint16Array, channels: number): Uint8Array {
  if (channels === 4) return new Uint8Array(data);
  const rgba = new Uint8Array((data.length / 3) * 4).fill(255);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) rgba.set(data.subarray(i, i + 3), j);
  return rgba;
}

/** What `upscale` makes of a still picture, as RGBA. */
async function upscaledStill(still: Buffer, options: UpscaleOptions): Promise<Uint8Array> {
  const { data, info } = await upscale(still, options).raw();
  return asRgba(data, info.channels);
}

/** The largest difference of visible samples: alpha everywhere, colour where the reference is not transparent. */
function maxVisibleDifference(actual: Uint8Array, reference: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < reference.length; i += 4) {
    max = Math.max(max, Math.abs(actual[i + 3] - reference[i + 3]));
    if (reference[i + 3] > 0) for (let c = 0; c < 3; c++) max = Math.max(max, Math.abs(actual[i + c] - reference[i + c]));
  }
  return max;
}

/**
 * GIF's loss: a 256-colour palette (dithered) and 1-bit transparency. The mean colour difference over
 * pixels both pictures show, and the share of pixels whose visibility agrees with alpha >= 128.
 */
function gifDifference(actual: Uint8Array, reference: Uint8Array): { meanColour: number; visibilityAgreement: number } {
  let sum = 0;
  let count = 0;
  let agree = 0;
  for (let i = 0; i < reference.length; i += 4) {
    const shown = actual[i + 3] > 0;
    if (shown === reference[i + 3] >= 128) agree++;
    if (!shown || reference[i + 3] < 255) continue;
    for (let c = 0; c < 3; c++) sum += Math.abs(actual[i + c] - reference[i + c]);
    count += 3;
  }
  return { meanColour: sum / count, visibilityAgreement: agree / (reference.length / 4) };
}

async function expectTimingAndSize(output: Frames, factor: number, loop: number): Promise<void> {
  expect(output.rgba.length).toBe(DELAYS.length);
  expect(output.delays).toEqual(DELAYS);
  expect(output.loop).toBe(loop);
  expect([output.width, output.height]).toEqual([WIDTH * factor, HEIGHT * factor]);
}

describe('animated pictures: every frame upscaled, timing and loop kept', () => {
  it.each(['webp', 'png'] as const)('an animated GIF written as %s holds each frame exactly as upscaling that frame alone gives', async (format) => {
    const dir = await temporaryDirectory();
    const gif = await animatedGif(dir);
    const output = await decodeAnimation(await upscale(gif, BICUBIC_X2).toBuffer({ format, lossless: true }));
    await expectTimingAndSize(output, 2, LOOP);
    for (let k = 0; k < DELAYS.length; k++) {
      const reference = await upscaledStill(await stillFrame(gif, k), BICUBIC_X2);
      expect(maxVisibleDifference(output.rgba[k], reference)).toBe(0);
    }
  });

  it('an animated GIF with transparency written as GIF keeps its frames within the palette loss, each closer to its own frame than to the next', async () => {
    const dir = await temporaryDirectory();
    const gif = await animatedGif(dir);
    const path = join(dir, 'clear_x2.gif');
    await upscale(gif, BICUBIC_X2).toFile(path);
    const output = await decodeAnimation(await readFile(path));
    await expectTimingAndSize(output, 2, LOOP);
    const references = await Promise.all(DELAYS.map(async (_, k) => upscaledStill(await stillFrame(gif, k), BICUBIC_X2)));
    for (let k = 0; k < DELAYS.length; k++) {
      const own = gifDifference(output.rgba[k], references[k]);
      expect(own.meanColour).toBeLessThan(2);
      expect(own.visibilityAgreement).toBeGreaterThan(0.97);
      expect(gifDifference(output.rgba[k], references[(k + 1) % DELAYS.length]).meanColour).toBeGreaterThan(20);
    }
  });

  it('an animated WebP stays an animated WebP, frames exact when written lossless', async () => {
    const dir = await temporaryDirectory();
    const webp = await animatedWebp(dir);
    const path = join(dir, 'anim_x2.webp');
    await upscale(webp, BICUBIC_X2).toFile(path, { lossless: true });
    const output = await decodeAnimation(await readFile(path));
    await expectTimingAndSize(output, 2, LOOP);
    for (let k = 0; k < DELAYS.length; k++) expect(maxVisibleDifference(output.rgba[k], await upscaledStill(await stillFrame(webp, k), BICUBIC_X2))).toBe(0);
  });

  it('an APNG (which sharp reads as one frame) is read with upng-js and written back as an APNG', async () => {
    const dir = await temporaryDirectory();
    const png = await animatedPng(dir);
    const path = join(dir, 'anim_x2.png');
    await upscale(png, BICUBIC_X2).toFile(path);
    const output = await decodeAnimation(await readFile(path));
    await expectTimingAndSize(output, 2, 0);
    for (let k = 0; k < DELAYS.length; k++) expect(maxVisibleDifference(output.rgba[k], await upscaledStill(await stillFrame(png, k), BICUBIC_X2))).toBe(0);
  });

  it('the default x4 model upscales every frame as it does a still, and progress counts the tiles of all frames', async () => {
    const dir = await temporaryDirectory();
    const gif = await animatedGif(dir, false);
    const calls: [number, number][] = [];
    const bytes = await upscale(gif, { onProgress: (done, total) => calls.push([done, total]) }).toBuffer({ format: 'webp', lossless: true });
    const output = await decodeAnimation(bytes);
    await expectTimingAndSize(output, 4, LOOP);
    let stillTiles = 0;
    for (let k = 0; k < DELAYS.length; k++) {
      const still = await stillFrame(gif, k);
      expect(maxVisibleDifference(output.rgba[k], await upscaledStill(still, { onProgress: (_, total) => (stillTiles = total) }))).toBe(0);
    }
    const total = DELAYS.length * stillTiles;
    expect(calls.at(-1)).toEqual([total, total]);
    expect(calls.every(([, t]) => t === total)).toBe(true);
    expect(calls.map(([done]) => done)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('written as jpg, an animation is its first frame, with one warning naming the file', async () => {
    const dir = await temporaryDirectory();
    const gif = await animatedGif(dir, false);
    const warnings: string[] = [];
    const path = join(dir, 'first.jpg');
    await upscale(gif, { ...BICUBIC_X2, onWarning: (message) => warnings.push(message) }).toFile(path);
    expect(warnings).toEqual([`${gif}: has 3 frames; only the first is upscaled`]);
    const metadata = await sharp(path).metadata();
    expect([metadata.width, metadata.height, metadata.pages ?? 1]).toEqual([40, 32, 1]);
  });

  it('raw() after an animated output gives the first frame of that animation', async () => {
    const dir = await temporaryDirectory();
    const webp = await animatedWebp(dir);
    const job = upscale(webp, BICUBIC_X2);
    const output = await decodeAnimation(await job.toBuffer({ format: 'webp', lossless: true }));
    const { data, info } = await job.raw();
    expect([info.width, info.height]).toEqual([40, 32]);
    expect(maxVisibleDifference(output.rgba[0], asRgba(data, info.channels))).toBe(0);
  });

  it('a GIF of 10,000 frames is upscaled group by group into 10,000 frames with their delays, the last one last', async () => {
    const dir = await temporaryDirectory();
    const frames = 10_000;
    const [width, height] = [4, 3];
    const samples = Buffer.alloc(width * height * 4 * frames);
    for (let i = 0; i < samples.length; i++) samples[i] = i % 4 === 3 ? 255 : (i * 37 + Math.floor(i / 48) * 101) & 255;
    const path = join(dir, 'long.gif');
    const delays = Array.from({ length: frames }, (_, k) => 20 + (k % 7) * 10);
    await sharp(samples, { raw: { width, height: height * frames, channels: 4, pageHeight: height } }).gif({ delay: delays, keepDuplicateFrames: true }).toFile(path);
    const output = await decodeAnimation(await upscale(path, BICUBIC_X2).toBuffer({ format: 'gif' }));
    expect(output.rgba.length).toBe(frames);
    expect(output.delays).toEqual(delays);
    expect([output.width, output.height]).toEqual([8, 6]);
    const reference = await upscaledStill(await sharp(path, { page: frames - 1 }).png().toBuffer(), BICUBIC_X2);
    expect(gifDifference(output.rgba[frames - 1], reference).meanColour).toBeLessThan(4);
    expect(gifDifference(output.rgba[frames - 2], reference).meanColour).toBeGreaterThan(20);
  });

  it('an animation whose frames together exceed the output limit is refused from its header, naming the file', async () => {
    const dir = await temporaryDirectory();
    const gif = await animatedGif(dir, false);
    const path = join(dir, 'huge.gif');
    // 3 frames of 20000x16000 are 960 Mpx, within 1074 Mpx; 5 are not. Each frame alone is within it.
    const five = Buffer.concat([strip(false), framePixels(0, false), framePixels(1, false)]);
    await sharp(five, { raw: { ...rawStrip, height: HEIGHT * 5 } }).gif({ keepDuplicateFrames: true }).toFile(path);
    await expect(upscale(path, { method: 'bicubic', width: 20000 }).toFile(join(dir, 'out.gif'))).rejects.toThrow(
      `${path}: would become 5 frames of 20000x16000 (1600 Mpx in all), more than enhance makes (1074 Mpx); ask for a smaller size`,
    );
    expect((await readdir(dir)).sort()).toEqual([gif, path].map((p) => p.slice(dir.length + 1)).sort());
  });

  it('a cancel after the first frame rejects with "cancelled" and writes nothing', async () => {
    const dir = await temporaryDirectory();
    const gif = await animatedGif(dir, false);
    const controller = new AbortController();
    let last = 0;
    const job = upscale(gif, {
      signal: controller.signal,
      onProgress: (done, total) => {
        last = done;
        if (done === total / DELAYS.length) controller.abort();
      },
    });
    await expect(job.toFile(join(dir, 'out.gif'))).rejects.toThrow('cancelled');
    expect(last).toBeGreaterThan(0);
    expect(await readdir(dir)).toEqual(['opaque.gif']);
  });

  it('enhance upscale anim.gif -o out.gif writes an animated GIF with the same timing (built CLI)', async () => {
    const dir = await temporaryDirectory();
    const gif = await animatedGif(dir);
    const path = join(dir, 'out.gif');
    const result = await runCli(['upscale', gif, '--method', 'bicubic', '--scale', '2', '-o', path]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const metadata = await sharp(path).metadata();
    expect([metadata.format, metadata.width, metadata.height, metadata.pages, metadata.delay, metadata.loop]).toEqual(['gif', 40, 32, 3, DELAYS, LOOP]);
  });
});
