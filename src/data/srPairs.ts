import { basename, dirname, extname, join } from 'node:path';
import { EnhanceError } from '../errors.js';
import { bicubicDownsample } from '../degradation/bicubicDownsample.js';
import { readImage } from '../image/readImage.js';
import { modCrop, type ImageTensor } from '../image/tensor.js';
import { listImageFiles, type ImageFile } from './imageFolder.js';

/** A high-resolution image and its low-resolution counterpart, `scale` times smaller on each side. */
export interface SrPair {
  /** The HR file's path relative to the HR folder, without extension (e.g. 'baby', 'sub/0801'). */
  readonly name: string;
  readonly hr: ImageTensor;
  readonly lr: ImageTensor;
}

export interface SrPairSource {
  /** Folder of HR images (searched recursively). */
  hr: string;
  /** Optional folder of LR images to pair by name; without it LR is made with the MATLAB bicubic. */
  lr?: string;
  scale: number;
}

/**
 * The key two files of a pair share: the file name without extension, lower-cased, with the tokens
 * that mark resolution and scale removed, so that `baby.png` pairs with `baby.png`, `babyx4.png`
 * (BasicSR's DIV2K style) or `img_001_SRF_4_HR.png` with `img_001_SRF_4_LR.png` (SelfExSR style).
 */
export function pairingKey(relativePath: string, scale: number): string {
  const stem = join(dirname(relativePath), basename(relativePath, extname(relativePath))).toLowerCase();
  return stem
    .replace(new RegExp(`[_-]?(x${scale}|${scale}x)$`), '')
    .replace(/[_-](hr|lr|gt)$/, '')
    .replace(new RegExp(`[_-]?(x${scale}|${scale}x)$`), '');
}

function nameOf(file: ImageFile): string {
  return file.relativePath.slice(0, file.relativePath.length - extname(file.relativePath).length);
}

async function pairFiles(hrFiles: ImageFile[], lrFolder: string, scale: number): Promise<Map<ImageFile, ImageFile>> {
  const lrByKey = new Map<string, ImageFile>();
  for (const file of await listImageFiles(lrFolder)) lrByKey.set(pairingKey(file.relativePath, scale), file);
  const pairs = new Map<ImageFile, ImageFile>();
  for (const hr of hrFiles) {
    const lr = lrByKey.get(pairingKey(hr.relativePath, scale));
    if (!lr) throw new EnhanceError(`no LR image in ${lrFolder} pairs with this HR image`, { file: hr.path });
    pairs.set(hr, lr);
  }
  return pairs;
}

/**
 * The SR pairs of a dataset, one at a time so a large set is never all in memory. HR images are
 * cropped to a multiple of the scale (the `*_HR.png` files of SR benchmarks are exactly that crop).
 */
export async function* loadSrPairs(source: SrPairSource): AsyncGenerator<SrPair> {
  const { scale } = source;
  const hrFiles = await listImageFiles(source.hr);
  const lrFiles = source.lr ? await pairFiles(hrFiles, source.lr, scale) : undefined;
  for (const file of hrFiles) {
    const decoded = await readImage(file.path);
    if (decoded.image.height < scale || decoded.image.width < scale) {
      throw new EnhanceError(`is smaller than the scale ${scale}`, { file: file.path });
    }
    const hr = modCrop(decoded.image, scale);
    const lrFile = lrFiles?.get(file);
    let lr: ImageTensor;
    if (lrFile) {
      lr = (await readImage(lrFile.path)).image;
      if (lr.height * scale !== hr.height || lr.width * scale !== hr.width) {
        throw new EnhanceError(
          `is ${lr.width}x${lr.height}, but its HR image ${file.path} (cropped to ${hr.width}x${hr.height}) needs ${hr.width / scale}x${hr.height / scale} at x${scale}`,
          { file: lrFile.path },
        );
      }
      if (lr.channels !== hr.channels) {
        throw new EnhanceError(`has ${lr.channels} channel(s), its HR image ${file.path} has ${hr.channels}`, { file: lrFile.path });
      }
    } else {
      lr = bicubicDownsample(hr, scale, { bitDepth: decoded.bitDepth });
    }
    yield { name: nameOf(file), hr, lr };
  }
}
