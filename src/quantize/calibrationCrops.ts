import { listImageFiles } from '../data/imageFolder.js';
import { readImage } from '../image/readImage.js';
import { colorChannelCount, cropImage, selectChannels, type ImageTensor } from '../image/tensor.js';

export interface CropOptions {
  /** Side of each crop, input pixels. */
  size: number;
  /** Crops in all, spread over the pictures. */
  count: number;
}

/**
 * RGB crops of the pictures under `folder`, the same ones every time: the files in sorted order, crops
 * on a regular grid over each picture (so a picture's edges, flat sky and texture are all seen).
 * Smaller pictures give one crop of what they have.
 */
export async function calibrationCrops(folder: string, options: CropOptions): Promise<ImageTensor[]> {
  const files = await listImageFiles(folder);
  const perFile = Math.max(1, Math.ceil(options.count / files.length));
  const crops: ImageTensor[] = [];
  for (const file of files) {
    if (crops.length >= options.count) break;
    const { image } = await readImage(file.path);
    const rgb = selectChannels(image, colorChannelCount(image) === 1 ? [0, 0, 0] : [0, 1, 2]);
    crops.push(...gridCrops(rgb, options.size, Math.min(perFile, options.count - crops.length)));
  }
  return crops;
}

/** `count` crops of side `size` (at most the picture's) on a near-square grid, row by row. */
export function gridCrops(image: ImageTensor, size: number, count: number): ImageTensor[] {
  const [h, w] = [Math.min(size, image.height), Math.min(size, image.width)];
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const at = (i: number, n: number, room: number) => (n === 1 ? Math.floor(room / 2) : Math.round((i * room) / (n - 1)));
  const crops: ImageTensor[] = [];
  for (let r = 0; r < rows && crops.length < count; r++) {
    for (let c = 0; c < columns && crops.length < count; c++) crops.push(cropImage(image, at(r, rows, image.height - h), at(c, columns, image.width - w), h, w));
  }
  return crops;
}
