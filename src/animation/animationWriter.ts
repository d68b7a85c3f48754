import { writeFile } from 'node:fs/promises';
import { EnhanceError } from '../errors.js';
import type { OutputFormat } from '../image/formats.js';
import { encodeRaster, describeWriteError, type EncodeOptions } from '../image/writeImage.js';
import { writeFileAtomic } from '../io/atomicWrite.js';
import { frameCount, frameOf, type AnimatedRaster } from './animatedRaster.js';
import { animationControl, frameControl, PNG_SIGNATURE, pngChunk, pngChunks } from './apngChunks.js';

export type AnimationFormat = Extract<OutputFormat, 'gif' | 'webp' | 'png'>;

export type AnimationEncodeOptions = Omit<EncodeOptions, 'format' | 'animation'> & { format: AnimationFormat };

/**
 * An APNG: each frame encoded by sharp as a PNG of its own (so bit depth, colour type, compression and
 * the ICC profile are the still writer's), its IDAT data moved into fdAT chunks behind an fcTL each.
 * libvips writes no APNG, and upng-js's encoder sizes its output buffer from the raw frames, which
 * small frames overflow.
 */
async function encodeApng(animation: AnimatedRaster, options: AnimationEncodeOptions): Promise<Buffer> {
  const frames = frameCount(animation);
  const { width } = animation.strip;
  const parts: Buffer[] = [PNG_SIGNATURE];
  let header: Buffer | undefined;
  let sequence = 0;
  for (let k = 0; k < frames; k++) {
    const chunks = pngChunks(await encodeRaster(frameOf(animation, k), { ...options, format: 'png' }));
    const ihdr = chunks[0];
    if (ihdr?.type !== 'IHDR' || (header && !header.equals(ihdr.data))) throw new Error(`APNG frame ${k}: sharp wrote a different IHDR`);
    if (!header) {
      header = ihdr.data;
      parts.push(pngChunk('IHDR', header), animationControl(frames, animation.timing.loop));
      // The first frame's ancillary chunks (iCCP, pHYs...) describe the whole picture, before its data.
      const before = chunks.findIndex((chunk) => chunk.type === 'IDAT');
      for (const chunk of chunks.slice(1, before)) parts.push(pngChunk(chunk.type, chunk.data));
    }
    parts.push(frameControl(sequence++, width, animation.frameHeight, animation.timing.delays[k] ?? 100));
    for (const chunk of chunks) {
      if (chunk.type !== 'IDAT') continue;
      // The first frame is the default image (what a viewer without APNG shows): plain IDAT.
      if (k === 0) parts.push(pngChunk('IDAT', chunk.data));
      else {
        const data = Buffer.alloc(4 + chunk.data.length);
        data.writeUInt32BE(sequence++, 0);
        chunk.data.copy(data, 4);
        parts.push(pngChunk('fdAT', data));
      }
    }
  }
  parts.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/**
 * Encode an animation: GIF and WebP by sharp from the tall strip, PNG as APNG. Frames are complete
 * pictures (see AnimatedRaster), so each replaces the last and the result looks as the input did,
 * whatever disposal the input used.
 */
export function encodeAnimation(animation: AnimatedRaster, options: AnimationEncodeOptions): Promise<Buffer> {
  if (options.format === 'png') return encodeApng(animation, options);
  return encodeRaster(animation.strip, { ...options, animation: { ...animation.timing, frameHeight: animation.frameHeight } });
}

/** Write an animation atomically (temporary name, then rename); a failed write leaves nothing, and says why in one line. */
export async function writeAnimation(path: string, animation: AnimatedRaster, options: AnimationEncodeOptions): Promise<void> {
  try {
    await writeFileAtomic(path, async (temporary) => writeFile(temporary, await encodeAnimation(animation, options)));
  } catch (error) {
    if (error instanceof EnhanceError) throw error;
    throw describeWriteError(error, path);
  }
}
