import type { ModelSpec } from '../models/architectures.js';

/** What tiling needs to know about a model beyond its scale. */
export interface ModelTraits {
  /** Input pixels on each side that influence an output pixel (exact tiles need this much context). */
  receptiveRadius: number;
  /** Estimated working memory of one run per input pixel, in bytes (sizes tiles from a budget). */
  bytesPerPixel: number;
  /** Input height and width must be multiples of this (pixel-unshuffling models); others are padded. */
  sizeMultiple: number;
  /** One line for humans, e.g. "srvgg-compact x4 (features 48, convs 10)". */
  description: string;
}

/** Receptive radius and memory of our own networks, from their layouts (mostly 3x3 convs at low resolution). */
export function traitsOf(spec: ModelSpec): ModelTraits {
  const o = spec.options as Record<string, number>;
  const s2 = spec.scale * spec.scale;
  const description = `${spec.arch} x${spec.scale} (${Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || 'defaults'})`;
  const hrFeatures = (features: number) => 3 * features * s2; // nearest/PixelShuffle stages at output size
  switch (spec.arch) {
    case 'srvgg-compact':
      return { receptiveRadius: (o.convs ?? 10) + 2, bytesPerPixel: 4 * (4 * (o.features ?? 48) + 6 * s2), sizeMultiple: 1, description };
    case 'rrdbnet': {
      const nf = o.features ?? 64;
      const unshuffle = Math.max(1, 2 ** (o.upsamplings ?? 2) / spec.scale);
      return {
        receptiveRadius: (15 * (o.blocks ?? 23) + 4) * unshuffle,
        // Measured: ~24 KB per input pixel at x4 (the 64-feature convs at 4x and 16x the input's area dominate).
        bytesPerPixel: 4 * (4 * (nf + 4 * (o.growth ?? 32)) + (5 / 3) * hrFeatures(nf) + 6 * s2),
        sizeMultiple: unshuffle,
        description,
      };
    }
    case 'edsr':
    case 'msrresnet':
    case 'srresnet':
      return { receptiveRadius: 2 * (o.blocks ?? 16) + 6, bytesPerPixel: 4 * (4 * (o.features ?? 64) + hrFeatures(o.features ?? 64)), sizeMultiple: 1, description };
    default:
      // SRCNN, the auto-encoder and the U-Net: a few convs, up to 64 features, some at output size.
      return { receptiveRadius: 32, bytesPerPixel: 4 * (4 * 256 + hrFeatures(64)), sizeMultiple: 1, description };
  }
}

/** Planar [3, h, w] pixels extended to [3, h2, w2] by repeating the last row and column. */
function padEdges(rgb: Float32Array, height: number, width: number, paddedHeight: number, paddedWidth: number): Float32Array {
  const out = new Float32Array(3 * paddedHeight * paddedWidth);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < paddedHeight; y++) {
      const from = (c * height + Math.min(y, height - 1)) * width;
      const to = (c * paddedHeight + y) * paddedWidth;
      out.set(rgb.subarray(from, from + width), to);
      out.fill(rgb[from + width - 1], to + width, to + paddedWidth);
    }
  }
  return out;
}

/** The top-left [3, h, w] of planar [3, h2, w2] pixels. */
function cropTopLeft(data: Float32Array, paddedHeight: number, paddedWidth: number, height: number, width: number): Float32Array {
  const out = new Float32Array(3 * height * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) out.set(data.subarray((c * paddedHeight + y) * paddedWidth, (c * paddedHeight + y) * paddedWidth + width), (c * height + y) * width);
  }
  return out;
}

/**
 * One model run on a tile, as every runner does it (onnxruntime-node in a worker thread, onnxruntime-web
 * in a page's worker): pad the planar [3, h, w] tile by repeating its edges to the model's size
 * multiple, run, crop the result back to [3, h*scale, w*scale] and clamp it to [0, 1].
 */
export async function runOnTile(
  rgb: Float32Array,
  height: number,
  width: number,
  scale: number,
  sizeMultiple: number,
  run: (input: Float32Array, height: number, width: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const m = sizeMultiple;
  const [paddedHeight, paddedWidth] = [Math.ceil(height / m) * m, Math.ceil(width / m) * m];
  const input = paddedHeight === height && paddedWidth === width ? rgb : padEdges(rgb, height, width, paddedHeight, paddedWidth);
  let data = await run(input, paddedHeight, paddedWidth);
  if (input !== rgb) data = cropTopLeft(data, paddedHeight * scale, paddedWidth * scale, height * scale, width * scale);
  for (let i = 0; i < data.length; i++) data[i] = data[i] < 0 ? 0 : data[i] > 1 ? 1 : data[i];
  return data;
}
