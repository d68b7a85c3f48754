import { channelPlane, createImageTensor, type ImageTensor } from '../image/tensor.js';

// ITU-R BT.601 studio range, as MATLAB `rgb2ycbcr`: rows give Y, Cb, Cr from R, G, B in [0, 1], in 0..255 units.
const RGB_TO_YCBCR = [
  [65.481, 128.553, 24.966],
  [-37.797, -74.203, 112.0],
  [112.0, -93.786, -18.214],
] as const;
const YCBCR_OFFSET = [16, 128, 128] as const;

/** The inverse of RGB_TO_YCBCR, computed once. */
const YCBCR_TO_RGB = invert3x3(RGB_TO_YCBCR);

function invert3x3(m: readonly (readonly number[])[]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

function requireRgb(image: ImageTensor, op: string): void {
  if (image.channels !== 3 && image.channels !== 4) {
    throw new RangeError(`${op}: needs an RGB(A) image, got ${image.channels} channel(s)`);
  }
}

/** RGB in [0, 1] to YCbCr in [0, 1] (Y in [16/255, 235/255]), MATLAB `rgb2ycbcr` on a double image. Alpha is kept. */
export function rgbToYCbCr(image: ImageTensor): ImageTensor {
  requireRgb(image, 'rgbToYCbCr');
  const out = createImageTensor(image.channels, image.height, image.width, image.data.slice());
  const [r, g, b] = [0, 1, 2].map((c) => channelPlane(image, c));
  for (let k = 0; k < 3; k++) {
    const [wr, wg, wb] = RGB_TO_YCBCR[k];
    const target = channelPlane(out, k);
    for (let i = 0; i < target.length; i++) target[i] = (YCBCR_OFFSET[k] + wr * r[i] + wg * g[i] + wb * b[i]) / 255;
  }
  return out;
}

/** The inverse of `rgbToYCbCr` (MATLAB `ycbcr2rgb`), clamped to [0, 1]. */
export function yCbCrToRgb(image: ImageTensor): ImageTensor {
  requireRgb(image, 'yCbCrToRgb');
  const out = createImageTensor(image.channels, image.height, image.width, image.data.slice());
  const [y, cb, cr] = [0, 1, 2].map((c) => channelPlane(image, c));
  for (let k = 0; k < 3; k++) {
    const [wy, wcb, wcr] = YCBCR_TO_RGB[k];
    const target = channelPlane(out, k);
    for (let i = 0; i < target.length; i++) {
      const v = wy * (y[i] * 255 - YCBCR_OFFSET[0]) + wcb * (cb[i] * 255 - YCBCR_OFFSET[1]) + wcr * (cr[i] * 255 - YCBCR_OFFSET[2]);
      target[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return out;
}

/**
 * Y of an 8-bit RGB image as MATLAB `rgb2ycbcr` computes it for uint8 input: in 0..255 levels and
 * rounded to an integer. `r`, `g`, `b` hold integer levels 0..255.
 */
export function lumaUint8(r: number, g: number, b: number): number {
  return Math.round(LUMA_PER_LEVEL[0] * r + LUMA_PER_LEVEL[1] * g + LUMA_PER_LEVEL[2] * b + YCBCR_OFFSET[0]);
}

// MATLAB's uint8 path scales the coefficients (imlincomb(T(1,1)/255, R, ...)) rather than the sum.
const LUMA_PER_LEVEL = RGB_TO_YCBCR[0].map((w) => w / 255);
