/**
 * The frames of an animated GIF or WebP as the browser decodes them (WebCodecs' ImageDecoder): each
 * frame whole (the format's partial frames already composed over the earlier ones), as RGBA, with its
 * delay. A browser without ImageDecoder, or a file of one frame, gets no animation: the page then
 * takes the still-picture path.
 */

export interface AnimationFrame {
  pixels: ImageData;
  durationMs: number;
}

export interface DecodedAnimation {
  width: number;
  height: number;
  frameCount: number;
  /** Times the animation plays, as an animated WebP's ANIM chunk counts them (0: forever). */
  loop: number;
  /** Decode frame `index` (0-based); frames are decoded one at a time, so a long animation never sits in memory as pixels. */
  frame(index: number): Promise<AnimationFrame>;
  close(): void;
}

const ANIMATED_TYPES: Record<string, string> = { gif: 'image/gif', webp: 'image/webp' };

/** An ANIM chunk's loop count holds 16 bits. */
const MAX_LOOP = 0xffff;

function animatedType(file: File): string | undefined {
  if (Object.values(ANIMATED_TYPES).includes(file.type)) return file.type;
  const extension = /\.([^.]+)$/.exec(file.name)?.[1].toLowerCase();
  return extension ? ANIMATED_TYPES[extension] : undefined;
}

/**
 * ImageDecoder's repetitionCount counts the plays after the first (Chromium maps a GIF's NETSCAPE
 * loop count and a WebP's ANIM loop count to it that way), Infinity for an endless loop.
 */
export function webpLoopCount(repetitionCount: number): number {
  return Number.isFinite(repetitionCount) ? Math.min(MAX_LOOP, Math.max(0, Math.round(repetitionCount)) + 1) : 0;
}

/** The animation in `file`, or undefined when it is not an animated GIF/WebP this browser can decode frame by frame. */
export async function openAnimation(file: File): Promise<DecodedAnimation | undefined> {
  const type = animatedType(file);
  if (!type || typeof ImageDecoder === 'undefined' || !(await ImageDecoder.isTypeSupported(type))) return undefined;
  // As the still path decodes (createImageBitmap): no colour conversion, so both agree with the CLI.
  const decoder = new ImageDecoder({ data: await file.arrayBuffer(), type, colorSpaceConversion: 'none' });
  try {
    // The track list comes first; a GIF's frame count is final only once the whole file is parsed.
    await decoder.tracks.ready;
    await decoder.completed;
    const track = decoder.tracks.selectedTrack;
    if (!track || track.frameCount < 2) throw new Error('a still picture');
    const first = await decodeFrame(decoder, 0);
    return {
      width: first.pixels.width,
      height: first.pixels.height,
      frameCount: track.frameCount,
      loop: webpLoopCount(track.repetitionCount),
      frame: (index) => (index === 0 ? Promise.resolve(first) : decodeFrame(decoder, index)),
      close: () => decoder.close(),
    };
  } catch {
    // A still or a damaged file: the still path decodes it, or names the problem as it does for any picture.
    decoder.close();
    return undefined;
  }
}

async function decodeFrame(decoder: ImageDecoder, index: number): Promise<AnimationFrame> {
  const { image } = await decoder.decode({ frameIndex: index, completeFramesOnly: true });
  try {
    const canvas = new OffscreenCanvas(image.displayWidth, image.displayHeight);
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(image, 0, 0);
    return { pixels: context.getImageData(0, 0, canvas.width, canvas.height), durationMs: Math.round((image.duration ?? 0) / 1000) };
  } finally {
    image.close();
  }
}
