import { bicubicDownsample } from '../degradation/bicubicDownsample.js';
import { readImage } from '../image/readImage.js';
import { modCrop, selectChannels, type ImageTensor } from '../image/tensor.js';
import { listImageFiles } from './imageFolder.js';

/** A training image decoded once and kept in memory with its MATLAB-bicubic LR version. */
export interface TrainingImage {
  name: string;
  hr: ImageTensor;
  lr: ImageTensor;
}

/**
 * Load every image under the folders (recursively), as RGB, mod-cropped, with LR made by the exact
 * MATLAB bicubic. Images whose LR is smaller than `minLrSize` on a side cannot give a patch and are
 * left out (T91 has a few).
 */
export async function loadTrainingSet(folders: readonly string[], scale: number, minLrSize: number): Promise<TrainingImage[]> {
  const images: TrainingImage[] = [];
  for (const folder of folders) {
    for (const file of await listImageFiles(folder)) {
      const { image } = await readImage(file.path);
      const rgb = image.channels >= 3 ? selectChannels(image, [0, 1, 2]) : selectChannels(image, [0, 0, 0]);
      if (Math.floor(rgb.height / scale) < minLrSize || Math.floor(rgb.width / scale) < minLrSize) continue;
      const hr = modCrop(rgb, scale);
      images.push({ name: file.relativePath, hr, lr: bicubicDownsample(hr, scale) });
    }
  }
  return images;
}
