import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** The largest pixel value a network takes and gives: 1 for [0, 1], 255 for [0, 255]. */
export type PixelRange = 1 | 255;

/**
 * UpscalerJS feeds a model pixels in its definition's `inputRange` and clips the prediction to its
 * `outputRange` (upscaler/src/shared/tensor-utils.ts: scaleIncomingPixels, scaleOutput); a definition
 * without them means 0..255. The ESRGAN packages choose by architecture (packages/shared/src/esrgan/
 * esrgan.ts): 'rdn' models take [0, 255], the others (thick's 'rrdn') [0, 1].
 */
const UPSCALERJS_PIXEL_RANGES: Readonly<Record<string, PixelRange>> = {
  '@upscalerjs/default-model': 255,
  '@upscalerjs/esrgan-slim': 255,
  '@upscalerjs/esrgan-medium': 255,
  '@upscalerjs/esrgan-thick': 1,
};

/** UpscalerJS's default range. */
const DEFAULT_PIXEL_RANGE: PixelRange = 255;

async function packageName(dir: string): Promise<string | undefined> {
  try {
    const name = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).name;
    return typeof name === 'string' ? name : '';
  } catch (error) {
    // A directory without package.json: keep looking upwards. An unreadable one names no package.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : '';
  }
}

/** The pixel range UpscalerJS uses for the model.json at `modelJson`, from the npm package that holds it. */
export async function upscalerjsPixelRange(modelJson: string): Promise<PixelRange> {
  for (let dir = dirname(resolve(modelJson)); ; dir = dirname(dir)) {
    const name = await packageName(dir);
    if (name !== undefined) return UPSCALERJS_PIXEL_RANGES[name] ?? DEFAULT_PIXEL_RANGE;
    if (dirname(dir) === dir) return DEFAULT_PIXEL_RANGE;
  }
}
