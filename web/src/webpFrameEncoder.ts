/**
 * One upscaled frame as a still lossless WebP, encoded by the browser. Chromium encodes lossless
 * (VP8L) when asked for quality 1.0 (any lower quality is lossy VP8); its canvas holds premultiplied
 * pixels, so only partly transparent pixels may move by a level on the way in.
 */
const LOSSLESS = 1.0;

export async function encodeWebpFrame(rgba: ArrayBuffer, width: number, height: number): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  const blob = await canvas.convertToBlob({ type: 'image/webp', quality: LOSSLESS });
  // A browser that cannot write WebP answers with a PNG instead of failing.
  if (blob.type !== 'image/webp') throw new Error('this browser cannot encode WebP, so it cannot make the animated WebP');
  return new Uint8Array(await blob.arrayBuffer());
}
