/**
 * The one image representation inside the library: planar float32 [C, H, W] with values in [0, 1].
 * Channel order is gray, gray+alpha, RGB or RGBA; alpha, when present, is the last channel.
 */
export interface ImageTensor {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly data: Float32Array;
}

export function createImageTensor(channels: number, height: number, width: number, data?: Float32Array): ImageTensor {
  if (!Number.isInteger(channels) || channels < 1 || !Number.isInteger(height) || height < 1 || !Number.isInteger(width) || width < 1) {
    throw new RangeError(`createImageTensor: bad shape [${channels}, ${height}, ${width}]`);
  }
  const size = channels * height * width;
  if (data && data.length !== size) {
    throw new RangeError(`createImageTensor: data has ${data.length} values, shape [${channels}, ${height}, ${width}] needs ${size}`);
  }
  return { channels, height, width, data: data ?? new Float32Array(size) };
}

/** A view of one channel (no copy). */
export function channelPlane(image: ImageTensor, channel: number): Float32Array {
  const size = image.height * image.width;
  return image.data.subarray(channel * size, (channel + 1) * size);
}

export function hasAlphaChannel(image: ImageTensor): boolean {
  return image.channels === 2 || image.channels === 4;
}

/** Number of colour channels, alpha excluded: 1 (gray) or 3 (RGB). */
export function colorChannelCount(image: ImageTensor): number {
  return hasAlphaChannel(image) ? image.channels - 1 : image.channels;
}

/** A new tensor holding the given channels, in the given order. */
export function selectChannels(image: ImageTensor, channels: readonly number[]): ImageTensor {
  const size = image.height * image.width;
  const out = createImageTensor(channels.length, image.height, image.width);
  channels.forEach((c, i) => out.data.set(channelPlane(image, c), i * size));
  return out;
}

/** Stack tensors of the same height and width along the channel axis. */
export function concatChannels(images: readonly ImageTensor[]): ImageTensor {
  const { height, width } = images[0];
  for (const image of images) {
    if (image.height !== height || image.width !== width) {
      throw new RangeError(`concatChannels: ${image.height}x${image.width} does not match ${height}x${width}`);
    }
  }
  const out = createImageTensor(images.reduce((n, image) => n + image.channels, 0), height, width);
  let offset = 0;
  for (const image of images) {
    out.data.set(image.data, offset);
    offset += image.data.length;
  }
  return out;
}

/** The top-left region of the given size (all channels). */
export function cropImage(image: ImageTensor, top: number, left: number, height: number, width: number): ImageTensor {
  if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > image.height || left + width > image.width) {
    throw new RangeError(`cropImage: region ${height}x${width} at (${top}, ${left}) is outside a ${image.height}x${image.width} image`);
  }
  const out = createImageTensor(image.channels, height, width);
  for (let c = 0; c < image.channels; c++) {
    const src = channelPlane(image, c);
    const dst = channelPlane(out, c);
    for (let y = 0; y < height; y++) {
      const from = (top + y) * image.width + left;
      dst.set(src.subarray(from, from + width), y * width);
    }
  }
  return out;
}

/** Crop to height and width divisible by `scale`, keeping the top-left corner (BasicSR `mod_crop`). */
export function modCrop(image: ImageTensor, scale: number): ImageTensor {
  const height = image.height - (image.height % scale);
  const width = image.width - (image.width % scale);
  if (height === image.height && width === image.width) return image;
  if (height === 0 || width === 0) {
    throw new RangeError(`modCrop: a ${image.height}x${image.width} image is smaller than the scale ${scale}`);
  }
  return cropImage(image, 0, 0, height, width);
}

/** Round every value to the nearest level of a `bitDepth`-bit integer image (values stay in [0, 1]). */
export function quantizeImage(image: ImageTensor, bitDepth: 8 | 16): ImageTensor {
  const max = bitDepth === 16 ? 65535 : 255;
  const out = createImageTensor(image.channels, image.height, image.width);
  const src = image.data;
  const dst = out.data;
  for (let i = 0; i < src.length; i++) {
    const v = src[i] <= 0 ? 0 : src[i] >= 1 ? 1 : src[i];
    dst[i] = Math.round(v * max) / max;
  }
  return out;
}

/** A tensor as a destination for rows of values (no rounding). */
export function tensorSink(image: ImageTensor) {
  return {
    width: image.width,
    height: image.height,
    putRows: (channel: number, top: number, values: Float32Array, rows: number) =>
      image.data.set(values.subarray(0, rows * image.width), (channel * image.height + top) * image.width),
  };
}
