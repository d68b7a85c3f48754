/**
 * Still WebP files muxed into one animated WebP, as the container spec lays it out
 * (developers.google.com/speed/webp/docs/riff_container): RIFF 'WEBP', a VP8X header with the
 * animation flag, ANIM (background colour, loop count), then one ANMF chunk per frame wrapping the
 * frame's own bitstream chunks (ALPH and VP8, or VP8L). Pure bytes, no DOM: the page muxes the frames
 * the browser encoded, and Node tests it against libwebp (sharp).
 */
import { EnhanceError } from '../../src/errors.js';

export interface AnimatedWebpFrame {
  /** A complete still WebP file (simple lossy, lossless, or extended with ALPH). */
  webp: Uint8Array;
  /** How long the frame shows, in milliseconds (24 bits: up to about 4.6 hours). */
  durationMs: number;
}

interface Chunk {
  fourcc: string;
  payload: Uint8Array;
}

const MAX_24_BITS = 0xffffff;
/** ANMF flags: bit 1 set = do not blend with the previous frame; bit 0 clear = dispose none. */
const NO_BLEND_DISPOSE_NONE = 0b10;
const VP8X_ANIMATION = 0x02;
const VP8X_ALPHA = 0x10;
/** A VP8L header's alpha_is_used bit: byte 4 of the chunk, bit 4 (after 14 + 14 bits of size). */
const VP8L_ALPHA_BIT = 0x10;

/**
 * One animated WebP of `frames`, each drawn at (0, 0) over the whole `width` x `height` canvas,
 * without blending. `loop` is the number of times it plays (0: forever). Every frame must be a WebP of
 * exactly that size. Frames' ICCP/EXIF/XMP chunks are left out: a WebP without a profile is sRGB, which
 * is what a browser canvas encodes.
 */
export function muxAnimatedWebp(frames: readonly AnimatedWebpFrame[], loop: number, width: number, height: number): Uint8Array<ArrayBuffer> {
  if (frames.length === 0) throw new EnhanceError('animated WebP: no frames to mux');
  checkRange('loop count', loop, 0, 0xffff);
  checkRange('width', width, 1, MAX_24_BITS + 1);
  checkRange('height', height, 1, MAX_24_BITS + 1);
  let hasAlpha = false;
  const frameChunks = frames.map((frame, index) => {
    const label = `animated WebP: frame ${index + 1}`;
    checkRange(`${label}'s duration`, frame.durationMs, 0, MAX_24_BITS);
    const bitstream = bitstreamChunks(stillChunks(frame.webp, label), label);
    const size = bitstreamSize(bitstream, label);
    if (size.width !== width || size.height !== height) {
      throw new EnhanceError(`${label} is ${size.width}x${size.height}, not the animation's ${width}x${height}`);
    }
    hasAlpha ||= bitstream.some((c) => c.fourcc === 'ALPH' || (c.fourcc === 'VP8L' && (c.payload[4] & VP8L_ALPHA_BIT) !== 0));
    const header = new Uint8Array(16);
    // X and Y offsets (bytes 0-5) stay 0: every frame covers the canvas.
    put24(header, 6, width - 1);
    put24(header, 9, height - 1);
    put24(header, 12, frame.durationMs);
    header[15] = NO_BLEND_DISPOSE_NONE;
    return { fourcc: 'ANMF', payload: concat([header, ...bitstream.map(encodeChunk)]) };
  });

  const vp8x = new Uint8Array(10);
  vp8x[0] = VP8X_ANIMATION | (hasAlpha ? VP8X_ALPHA : 0);
  put24(vp8x, 4, width - 1);
  put24(vp8x, 7, height - 1);
  // Background colour (BGRA) transparent black: viewers may use it outside frames, and frames cover all.
  const anim = new Uint8Array(6);
  anim[4] = loop & 0xff;
  anim[5] = loop >> 8;
  const body = concat([ascii('WEBP'), ...[{ fourcc: 'VP8X', payload: vp8x }, { fourcc: 'ANIM', payload: anim }, ...frameChunks].map(encodeChunk)]);
  const riff = new Uint8Array(8 + body.length);
  riff.set(ascii('RIFF'), 0);
  new DataView(riff.buffer).setUint32(4, body.length, true);
  riff.set(body, 8);
  return riff;
}

function checkRange(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new EnhanceError(`${what} must be a whole number from ${min} to ${max}, not ${value}`);
}

/** The chunks after RIFF 'WEBP' of a still WebP file. */
function stillChunks(file: Uint8Array, label: string): Chunk[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 12 || fourccAt(file, 0) !== 'RIFF' || fourccAt(file, 8) !== 'WEBP') throw new EnhanceError(`${label} is not a WebP file`);
  const end = Math.min(file.length, 8 + view.getUint32(4, true));
  const chunks: Chunk[] = [];
  for (let offset = 12; offset + 8 <= end; ) {
    const size = view.getUint32(offset + 4, true);
    if (offset + 8 + size > end) throw new EnhanceError(`${label}: its ${fourccAt(file, offset)} chunk runs past the end of the file`);
    chunks.push({ fourcc: fourccAt(file, offset), payload: file.subarray(offset + 8, offset + 8 + size) });
    offset += 8 + size + (size & 1);
  }
  return chunks;
}

/** What an ANMF chunk carries of a still: its ALPH and VP8, or its VP8L. */
function bitstreamChunks(chunks: Chunk[], label: string): Chunk[] {
  if (chunks.some((c) => c.fourcc === 'ANIM' || c.fourcc === 'ANMF')) throw new EnhanceError(`${label} is itself animated`);
  const image = chunks.find((c) => c.fourcc === 'VP8 ' || c.fourcc === 'VP8L');
  if (!image) throw new EnhanceError(`${label} has no VP8 or VP8L image data`);
  const alpha = image.fourcc === 'VP8 ' ? chunks.find((c) => c.fourcc === 'ALPH') : undefined;
  return alpha ? [alpha, image] : [image];
}

/** The picture size written in the VP8 key frame header or the VP8L header. */
function bitstreamSize(chunks: Chunk[], label: string): { width: number; height: number } {
  const image = chunks[chunks.length - 1];
  const data = image.payload;
  if (image.fourcc === 'VP8L') {
    if (data.length < 5 || data[0] !== 0x2f) throw new EnhanceError(`${label}: its VP8L header is damaged`);
    const bits = data[1] | (data[2] << 8) | (data[3] << 16) | (data[4] << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  // RFC 6386 9.1: 3 bytes of frame tag, the start code 9d 01 2a, then 14-bit width and height.
  if (data.length < 10 || data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) throw new EnhanceError(`${label}: its VP8 key frame header is damaged`);
  return { width: (data[6] | (data[7] << 8)) & 0x3fff, height: (data[8] | (data[9] << 8)) & 0x3fff };
}

function encodeChunk(chunk: Chunk): Uint8Array {
  const padded = chunk.payload.length + (chunk.payload.length & 1);
  const bytes = new Uint8Array(8 + padded);
  bytes.set(ascii(chunk.fourcc), 0);
  new DataView(bytes.buffer).setUint32(4, chunk.payload.length, true);
  bytes.set(chunk.payload, 8);
  return bytes;
}

function put24(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >> 8) & 0xff;
  bytes[offset + 2] = (value >> 16) & 0xff;
}

function fourccAt(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
