import { bicubicDownsample } from '../degradation/bicubicDownsample.js';
import { EnhanceError } from '../errors.js';
import { readImage } from '../image/readImage.js';
import { modCrop, selectChannels, type ImageTensor } from '../image/tensor.js';
import { listImageFiles } from './imageFolder.js';

/** A training image decoded once and kept in memory with its MATLAB-bicubic LR version. */
export interface TrainingImage {
  name: string;
  hr: ImageTensor;
  lr: ImageTensor;
}

export interface TrainingSetOptions {
  scale: number;
  /** The LR patch side: images whose LR is smaller on a side cannot give a patch. */
  lrPatch: number;
  /** How the user set `lrPatch`, for the error when no image is large enough (a config key). */
  lrPatchSetting?: string;
}

/**
 * Load every image under the folders (recursively), as RGB, mod-cropped, with LR made by the exact
 * MATLAB bicubic. Images whose LR is smaller than the patch on a side are left out (T91 has a few);
 * when that leaves none, the error names the setting and the largest picture found, so the user
 * knows which number to change and to what.
 */
export async function loadTrainingSet(folders: readonly string[], options: TrainingSetOptions): Promise<TrainingImage[]> {
  const { scale, lrPatch } = options;
  const images: TrainingImage[] = [];
  let largest = { width: 0, height: 0 };
  for (const folder of folders) {
    for (const file of await listImageFiles(folder)) {
      const { image } = await readImage(file.path);
      if (Math.min(image.width, image.height) > Math.min(largest.width, largest.height)) largest = { width: image.width, height: image.height };
      if (Math.floor(image.height / scale) < lrPatch || Math.floor(image.width / scale) < lrPatch) continue;
      const rgb = image.channels >= 3 ? selectChannels(image, [0, 1, 2]) : selectChannels(image, [0, 0, 0]);
      const hr = modCrop(rgb, scale);
      images.push({ name: file.relativePath, hr, lr: bicubicDownsample(hr, scale) });
    }
  }
  if (images.length === 0) {
    const setting = options.lrPatchSetting ? `'${options.lrPatchSetting}'` : 'an LR patch';
    const fits = Math.floor(Math.min(largest.width, largest.height) / scale);
    throw new EnhanceError(
      `no picture in ${folders.join(', ')} is large enough for ${setting} ${lrPatch} at x${scale} (${lrPatch * scale}x${lrPatch * scale} px needed); ` +
        `the largest is ${largest.width}x${largest.height}, which fits ${setting} up to ${fits}`,
    );
  }
  return images;
}
