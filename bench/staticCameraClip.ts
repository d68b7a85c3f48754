import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readImage } from '../src/image/readImage.js';
import { rasterFromTensor } from '../src/image/raster.js';
import { cropImage } from '../src/image/tensor.js';
import { bicubicDownsample } from '../src/degradation/bicubicDownsample.js';

/**
 * A static-camera clip for measuring flicker: a photo (the scene, which never moves) shrunk by the
 * MATLAB bicubic, with a small red square sliding along a band near the top, x264-compressed at a
 * low quality with a keyframe every half second (the noise and keyframe pulses a real clip has in its
 * static areas). Every pixel outside the band is static in the scene: any change there is flicker.
 */
export interface StaticCameraClip {
  path: string;
  width: number;
  height: number;
  frames: number;
  /** LR rows [top, bottom) the square moves in (with its context): not static. */
  movingRows: { top: number; bottom: number };
}

/** The moving square's colour: saturated red, unlike any photo's background. */
const SQUARE = [230, 30, 40];

export async function makeStaticCameraClip(dir: string, photo: string, options: { width?: number; height?: number; frames?: number; crf?: number } = {}): Promise<StaticCameraClip> {
  const width = options.width ?? 64;
  const height = options.height ?? 48;
  const frames = options.frames ?? 48;
  const { image } = await readImage(photo);
  const hr = cropImage(image, 0, 0, height * 4, width * 4);
  const lr = rasterFromTensor(bicubicDownsample(hr, 4), 8);
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) rgb[p * 3 + c] = lr.data[p * lr.channels + c];
  const side = 6;
  const top = 4;
  const video = Buffer.alloc(frames * rgb.length);
  for (let t = 0; t < frames; t++) {
    const frame = video.subarray(t * rgb.length, (t + 1) * rgb.length);
    frame.set(rgb);
    const left = (2 + t) % (width - side);
    for (let y = top; y < top + side; y++) {
      for (let x = left; x < left + side; x++) frame.set(SQUARE, (y * width + x) * 3);
    }
  }
  const path = join(dir, 'static-camera.mp4');
  const result = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', '24', '-i', 'pipe:0', '-c:v', 'libx264', '-crf', String(options.crf ?? 30), '-g', '12', '-pix_fmt', 'yuv420p', path],
    { input: video },
  );
  if (result.status !== 0) throw new Error(`ffmpeg: ${result.stderr.toString()}`);
  // The square's rows, and a margin for the codec's blocks (16 px macroblocks) and the model's context.
  return { path, width, height, frames, movingRows: { top: 0, bottom: top + side + 16 } };
}

/** The output pixels (scale x scale per input pixel) outside the moving band: where a stable video does not change. */
export function staticMask(clip: StaticCameraClip, scale: number): Uint8Array {
  const width = clip.width * scale;
  const mask = new Uint8Array(width * clip.height * scale);
  mask.fill(1, clip.movingRows.bottom * scale * width);
  return mask;
}
