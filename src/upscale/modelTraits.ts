import type { TilingTraits } from '../architectures/architecture.js';

/** What tiling needs to know about a model beyond its scale, and one line for people. */
export interface ModelTraits extends TilingTraits {
  /** "srvgg-compact x4 (features 48, convs 10)". */
  description: string;
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
 * multiple (and at least its minimum size), run, crop the result back to [3, h*scale, w*scale] and clamp it to [0, 1].
 */
export async function runOnTile(
  rgb: Float32Array,
  height: number,
  width: number,
  scale: number,
  shape: Pick<TilingTraits, 'sizeMultiple' | 'minimumSize'>,
  run: (input: Float32Array, height: number, width: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const m = shape.sizeMultiple;
  const padded = (side: number) => Math.ceil(Math.max(side, shape.minimumSize) / m) * m;
  const [paddedHeight, paddedWidth] = [padded(height), padded(width)];
  const input = paddedHeight === height && paddedWidth === width ? rgb : padEdges(rgb, height, width, paddedHeight, paddedWidth);
  let data = await run(input, paddedHeight, paddedWidth);
  if (input !== rgb) data = cropTopLeft(data, paddedHeight * scale, paddedWidth * scale, height * scale, width * scale);
  for (let i = 0; i < data.length; i++) data[i] = data[i] < 0 ? 0 : data[i] > 1 ? 1 : data[i];
  return data;
}
