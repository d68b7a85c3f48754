import type { TilingTraits } from '../architectures/architecture.js';

/** What tiling needs to know about a model beyond its scale, and one line for people. */
export interface ModelTraits extends TilingTraits {
  /** "srvgg-compact x4 (features 48, convs 10)". */
  description: string;
}

/** Where padded position `p` reads from in a side of `n`: the last pixel repeated, or mirrored without repeating the edge (numpy/PyTorch 'reflect'), periodically when the pad is longer than the side. */
function sourceIndex(p: number, n: number, mode: 'edge' | 'reflect'): number {
  if (p < n) return p;
  if (mode === 'edge' || n === 1) return n - 1;
  const period = 2 * (n - 1);
  const q = p % period;
  return q < n ? q : period - q;
}

/** Planar [3, h, w] pixels extended to [3, h2, w2] at the bottom and right, by repeating or reflecting the last rows and columns, or with zeros. */
export function padTile(rgb: Float32Array, height: number, width: number, paddedHeight: number, paddedWidth: number, mode: 'edge' | 'reflect' | 'zeros' = 'edge'): Float32Array {
  const out = new Float32Array(3 * paddedHeight * paddedWidth);
  if (mode === 'zeros') {
    for (let c = 0; c < 3; c++) for (let y = 0; y < height; y++) out.set(rgb.subarray((c * height + y) * width, (c * height + y + 1) * width), (c * paddedHeight + y) * paddedWidth);
    return out;
  }
  const columns = Array.from({ length: paddedWidth - width }, (_, i) => sourceIndex(width + i, width, mode));
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < paddedHeight; y++) {
      const from = (c * height + sourceIndex(y, height, mode)) * width;
      const to = (c * paddedHeight + y) * paddedWidth;
      out.set(rgb.subarray(from, from + width), to);
      for (let i = 0; i < columns.length; i++) out[to + width + i] = rgb[from + columns[i]];
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
 * in a page's worker): pad the planar [3, h, w] tile (repeating or reflecting its edges) to the model's size
 * multiple (and at least its minimum size), run, crop the result back to [3, h*scale, w*scale] and clamp it to [0, 1].
 */
export async function runOnTile(
  rgb: Float32Array,
  height: number,
  width: number,
  scale: number,
  shape: Pick<TilingTraits, 'sizeMultiple' | 'minimumSize' | 'padding'>,
  run: (input: Float32Array, height: number, width: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const m = shape.sizeMultiple;
  const padded = (side: number) => Math.ceil(Math.max(side, shape.minimumSize) / m) * m;
  const [paddedHeight, paddedWidth] = [padded(height), padded(width)];
  const input = paddedHeight === height && paddedWidth === width ? rgb : padTile(rgb, height, width, paddedHeight, paddedWidth, shape.padding);
  let data = await run(input, paddedHeight, paddedWidth);
  if (input !== rgb) data = cropTopLeft(data, paddedHeight * scale, paddedWidth * scale, height * scale, width * scale);
  for (let i = 0; i < data.length; i++) data[i] = data[i] < 0 ? 0 : data[i] > 1 ? 1 : data[i];
  return data;
}
