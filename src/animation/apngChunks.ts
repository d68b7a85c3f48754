import { crc32 } from 'node:zlib';
import type { AnimationTiming } from './animatedRaster.js';

/** PNG's chunk layout (ISO/IEC 15948) and the APNG extension's control chunks (acTL, fcTL, fdAT). */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  readonly type: string;
  readonly data: Buffer;
}

/** The chunks of a PNG held in memory (one sharp has just encoded: a malformed one is a bug). */
export function pngChunks(png: Buffer): PngChunk[] {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: the signature is missing');
  const chunks: PngChunk[] = [];
  for (let position = 8; position + 12 <= png.length; ) {
    const length = png.readUInt32BE(position);
    const type = png.toString('latin1', position + 4, position + 8);
    chunks.push({ type, data: png.subarray(position + 8, position + 8 + length) });
    position += 12 + length;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** One chunk as bytes: length, type, data, and the CRC-32 of type and data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/** acTL: the number of frames and of plays (0: forever). */
export function animationControl(frames: number, loop: number): Buffer {
  const data = Buffer.alloc(8);
  data.writeUInt32BE(frames, 0);
  data.writeUInt32BE(loop, 4);
  return pngChunk('acTL', data);
}

/**
 * fcTL for a full-canvas frame shown `delayMs`: dispose op NONE and blend op SOURCE, so the frame
 * replaces the canvas whole, which is right for frames that are already composited. Delays that do not
 * fit 16 bits of milliseconds are written in hundredths of a second.
 */
export function frameControl(sequence: number, width: number, height: number, delayMs: number): Buffer {
  const data = Buffer.alloc(26);
  data.writeUInt32BE(sequence, 0);
  data.writeUInt32BE(width, 4);
  data.writeUInt32BE(height, 8);
  const [numerator, denominator] = delayMs <= 0xffff ? [delayMs, 1000] : [Math.min(0xffff, Math.round(delayMs / 10)), 100];
  data.writeUInt16BE(Math.round(numerator), 20);
  data.writeUInt16BE(denominator, 22);
  return pngChunk('fcTL', data);
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ByteReader = (position: number, length: number) => Promise<Buffer>;

/**
 * What an APNG's acTL and fcTL chunks say, read by chunk headers alone (the compressed data is skipped),
 * so a picture's frame count and timing are known before anything is decoded. Undefined for a still
 * PNG: one whose first IDAT comes before any acTL. A truncated file yields what was read; the decoder
 * reports the damage.
 */
export async function readApngTiming(read: ByteReader): Promise<(AnimationTiming & { frames: number }) | undefined> {
  let frames: number | undefined;
  let loop = 0;
  const delays: number[] = [];
  for (let position = 8; ; ) {
    const header = await read(position, 8);
    if (header.length < 8) break;
    const length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    if (type === 'IEND') break;
    if (type === 'IDAT' && frames === undefined) return undefined;
    if (type === 'acTL' && length >= 8) {
      const data = await read(position + 8, 8);
      if (data.length < 8) break;
      [frames, loop] = [data.readUInt32BE(0), data.readUInt32BE(4)];
    }
    if (type === 'fcTL' && length >= 26) {
      const data = await read(position + 8, 26);
      if (data.length < 26) break;
      const [numerator, denominator] = [data.readUInt16BE(20), data.readUInt16BE(22)];
      // The APNG spec: a zero denominator means hundredths of a second.
      delays.push(Math.round((numerator * 1000) / (denominator || 100)));
      // Frames past the count acTL announced are not shown; nothing after them need be read.
      if (frames !== undefined && delays.length >= frames) break;
    }
    position += 12 + length;
  }
  return frames === undefined ? undefined : { frames, loop, delays };
}
