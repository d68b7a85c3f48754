/**
 * How a picture is cut into tiles for a model, along one axis. Every tile has the same size (ONNX
 * Runtime then reuses its buffers and kernels from tile to tile), tiles are spread evenly with at
 * least `overlap` pixels in common, and each is read with `pad` pixels of context on both sides
 * (shifted inwards at the picture's borders, so its input size stays the same too).
 *
 * Outputs are blended across each seam with linear weights over a zone of `overlap * scale` output
 * pixels centred in the region two neighbours share; the weights of all tiles sum to 1 everywhere, so
 * where neighbours agree (enough context) the blend changes nothing, and where they don't there is no
 * visible seam.
 */
export interface TileSpan {
  /** Input pixels the tile covers, [start, end). */
  readonly start: number;
  readonly end: number;
  /** Input pixels fed to the model, [inputStart, inputEnd), the span with its context. */
  readonly inputStart: number;
  readonly inputEnd: number;
  /** Output pixels this tile contributes to, [outputStart, outputEnd). */
  readonly outputStart: number;
  readonly outputEnd: number;
  /** Output blend zone shared with the previous tile, [from, to) (empty for the first). */
  readonly blendBefore: readonly [number, number];
  /** Output blend zone shared with the next tile (empty for the last). */
  readonly blendAfter: readonly [number, number];
}

export interface AxisPlanOptions {
  /** Tile size in input pixels (context excluded). */
  tile: number;
  /** Context read on each side. */
  pad: number;
  /** Minimum input pixels two neighbouring tiles share (the blend zone's width). */
  overlap: number;
  scale: number;
  /**
   * Tiles' inputs start on multiples of this (window-attention networks: a tile's windows are then the
   * whole picture's); the last one may be shorter, ending where the picture ends. Default 1.
   */
  align?: number;
}

export function planAxis(length: number, options: AxisPlanOptions): TileSpan[] {
  const { scale, pad } = options;
  const align = options.align ?? 1;
  // Aligning moves a tile's input left by less than `align`: that much more input keeps the context on its right.
  const withContext = (t: number) => (align === 1 ? t + 2 * pad : Math.ceil((t + 2 * pad + align - 1) / align) * align);
  // A tile whose context already spans the picture is the picture: one run instead of several over the same pixels.
  const tile = withContext(options.tile) >= length ? length : options.tile;
  const overlap = Math.min(options.overlap, Math.floor(tile / 2));
  const count = tile >= length ? 1 : Math.ceil((length - overlap) / (tile - overlap));
  const starts = Array.from({ length: count }, (_, j) => (count === 1 ? 0 : Math.round((j * (length - tile)) / (count - 1))));
  const inputSize = Math.min(length, withContext(tile));

  // Seam j lies between tiles j and j + 1: a zone of at most `overlap` input pixels, centred in what they share.
  const seams = starts.slice(1).map((next, j): [number, number] => {
    const shared = starts[j] + tile - next;
    const width = Math.min(overlap, shared, next - starts[j]) * scale;
    const middle = Math.floor(((next + starts[j] + tile) * scale) / 2);
    const from = middle - Math.floor(width / 2);
    return [from, from + width];
  });

  return starts.map((start, j): TileSpan => {
    const unaligned = Math.min(Math.max(start - pad, 0), length - inputSize);
    const inputStart = Math.floor(unaligned / align) * align;
    // A tile pushed against the far edge keeps reaching it (shorter by the alignment, padded there as the whole picture is).
    const inputEnd = unaligned + inputSize === length ? length : inputStart + inputSize;
    const blendBefore: [number, number] = j > 0 ? seams[j - 1] : [0, 0];
    const blendAfter: [number, number] = j < count - 1 ? seams[j] : [length * scale, length * scale];
    return {
      start,
      end: start + tile,
      inputStart,
      inputEnd,
      outputStart: blendBefore[0],
      outputEnd: blendAfter[1],
      blendBefore,
      blendAfter,
    };
  });
}

/** The blend weight of a tile at output coordinate `x` (absolute) along one axis. */
export function blendWeight(span: TileSpan, x: number): number {
  const [a0, a1] = span.blendBefore;
  const [b0, b1] = span.blendAfter;
  if (x < a0 || x >= b1) return 0;
  if (x < a1) return (x - a0 + 0.5) / (a1 - a0);
  if (x >= b0) return (b1 - x - 0.5) / (b1 - b0);
  return 1;
}
