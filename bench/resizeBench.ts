import { join } from 'node:path';
import sharp from 'sharp';
import { bicubicDownsample } from '../src/degradation/bicubicDownsample.js';
import { readImage } from '../src/image/readImage.js';
import { evaluationPlane } from '../src/metrics/evaluationPlane.js';
import { hfen } from '../src/metrics/hfen.js';
import { psnr } from '../src/metrics/psnr.js';
import { ssim } from '../src/metrics/ssim.js';
import { resizeImage } from '../src/resize/resizeImage.js';
import { measureInterleaved, printResults } from './measure.js';

/**
 * MATLAB bicubic and SR metrics on a 2048x2048 RGB picture, next to sharp's (libvips) cubic resize of the
 * same pixels in the same run. Throughput is input megapixels per second.
 */
export async function resizeBench(datasets: string, rounds: number): Promise<void> {
  const size = 2048;
  // A real photograph (Set14 'comic' enlarged by sharp) so the content is not trivially compressible.
  const source = join(datasets, 'Set14/hr/comic.png');
  const encoded = await sharp(source).resize(size, size, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer();
  const { image } = await readImage(encoded);
  const interleaved = await sharp(encoded).raw().toBuffer();
  const raw = { raw: { width: size, height: size, channels: 3 as const } };
  const small = bicubicDownsample(image, 4);
  const smallInterleaved = await sharp(interleaved, raw).resize(size / 4, size / 4, { kernel: 'cubic' }).raw().toBuffer();
  const smallRaw = { raw: { width: size / 4, height: size / 4, channels: 3 as const } };
  const megapixels = (size * size) / 1e6;

  console.log(`resize benchmark: ${size}x${size} RGB, median of ${rounds} interleaved rounds, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}) using ${sharp.concurrency()} threads, ours on 1 thread`);

  const down = await measureInterleaved(
    [
      { name: 'sharp cubic x1/4', megapixels, run: () => sharp(interleaved, raw).resize(size / 4, size / 4, { kernel: 'cubic' }).raw().toBuffer() },
      { name: 'enhance MATLAB bicubic x1/4', megapixels, run: () => bicubicDownsample(image, 4) },
    ],
    rounds,
  );
  printResults('downscale 2048 -> 512 (the SR degradation)', down, 'sharp cubic x1/4');

  const up = await measureInterleaved(
    [
      { name: 'sharp cubic x4', megapixels, run: () => sharp(smallInterleaved, smallRaw).resize(size, size, { kernel: 'cubic' }).raw().toBuffer() },
      { name: 'enhance MATLAB bicubic x4', megapixels, run: () => resizeImage(small, { height: size, width: size, method: 'bicubic', quantize: 8 }) },
      { name: 'enhance lanczos3 x4', megapixels, run: () => resizeImage(small, { height: size, width: size, method: 'lanczos', quantize: 8 }) },
    ],
    rounds,
  );
  printResults('upscale 512 -> 2048 (throughput in output megapixels)', up, 'sharp cubic x4');

  const sr = resizeImage(small, { height: size, width: size, method: 'bicubic', quantize: 8 });
  const a = evaluationPlane(sr, 4);
  const b = evaluationPlane(image, 4);
  const metrics = await measureInterleaved(
    [
      { name: 'sharp cubic x1/4', megapixels, run: () => sharp(interleaved, raw).resize(size / 4, size / 4, { kernel: 'cubic' }).raw().toBuffer() },
      { name: 'Y plane (uint8 rgb2ycbcr + crop)', megapixels, run: () => evaluationPlane(sr, 4) },
      { name: 'PSNR', megapixels, run: () => psnr(a, b) },
      { name: 'SSIM', megapixels, run: () => ssim(a, b) },
      { name: 'HFEN', megapixels, run: () => hfen(a, b) },
    ],
    Math.max(3, Math.floor(rounds / 2)),
  );
  printResults('SR metrics on the 2048x2048 Y channel', metrics, 'sharp cubic x1/4');
}
