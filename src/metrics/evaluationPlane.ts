import { lumaUint8 } from '../color/ycbcr.js';
import { channelPlane, colorChannelCount, type ImageTensor } from '../image/tensor.js';
import { cropPlaneBorder, type Plane } from './plane.js';

/**
 * The plane SR papers measure (their MATLAB evaluation scripts): the image rounded to uint8, then Y of
 * MATLAB `rgb2ycbcr` (itself rounded to an integer) for colour images, or the single channel of a gray
 * image; then `crop` pixels removed from every side. Alpha is ignored.
 */
export function evaluationPlane(image: ImageTensor, crop: number): Plane {
  const size = image.height * image.width;
  const data = new Float64Array(size);
  const level = (v: number) => (v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255));
  if (colorChannelCount(image) === 1) {
    const gray = channelPlane(image, 0);
    for (let i = 0; i < size; i++) data[i] = level(gray[i]);
  } else {
    const [r, g, b] = [0, 1, 2].map((c) => channelPlane(image, c));
    for (let i = 0; i < size; i++) data[i] = lumaUint8(level(r[i]), level(g[i]), level(b[i]));
  }
  return cropPlaneBorder({ height: image.height, width: image.width, data }, crop);
}
