/** The input pixels one model run covers, context excluded. */
export interface TileShape {
  width: number;
  height: number;
}

export interface TileShapeInputs {
  /** The picture, input pixels. */
  width: number;
  height: number;
  /** Working memory of one model run per input pixel it reads (the tile with its context). */
  bytesPerPixel: number;
  /** Working memory of the tiles, bytes: a model run plus the strip of output rows it blends into. */
  budgetBytes: number;
  /** Context read on each side of a tile. */
  pad: number;
  /** Bytes of the blending strip per input row of a tile (a full-width row of float output). */
  stripBytesPerRow: number;
}

/**
 * The share of the budget tiles are planned into. The rest is headroom for what the per-pixel estimate
 * leaves out: the runtime's arena rounding its blocks up, and the run's output copied out of it.
 * Measured: planning into the whole of `--memory 768` took a 2048x2048 RGBA picture's peak from
 * 1.1 to 1.56 GB (full-width strips of 272 rows instead of 512x512 squares).
 */
export const PLANNED_SHARE = 0.75;

/** Tiles smaller than this waste most of each run on context; the budget is then too small to honour. */
const MIN_SIDE = 32;

/** Input pixels one run on the tile reads: the tile with its context, within the picture. */
function pixelsPerRun(shape: TileShape, inputs: TileShapeInputs): number {
  return Math.min(inputs.width, shape.width + 2 * inputs.pad) * Math.min(inputs.height, shape.height + 2 * inputs.pad);
}

/** Bytes of one run on a tile of `width` x `height` input pixels with its context, plus its strip. */
export function tileBytes(shape: TileShape, inputs: TileShapeInputs): number {
  return pixelsPerRun(shape, inputs) * inputs.bytesPerPixel + shape.height * inputs.stripBytesPerRow;
}

/** The largest h in [1, limit] with fits(h), or 0 (fits is monotone: true up to some h). */
function largest(limit: number, fits: (h: number) => boolean): number {
  let [low, high] = [0, limit];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** Input pixels all runs read, context included: what a tiling costs in model time. */
function pixelsRead(shape: TileShape, inputs: TileShapeInputs): number {
  return Math.ceil(inputs.width / shape.width) * Math.ceil(inputs.height / shape.height) * pixelsPerRun(shape, inputs);
}

/**
 * The fewest, largest tiles that fit three quarters of the budget: the whole picture in one run when it fits (no
 * context is computed twice and no seam is blended); else, over every tile height, the widest tile
 * that fits, keeping the shape whose runs read the fewest pixels in all (each tile recomputes its
 * context, so tall thin tiles and many small ones both lose): full-width strips when they fit, not
 * necessarily squares. Tiled sides are multiples of 16 (equal tiles reuse one set of the runtime's
 * buffers), never below 32 pixels.
 */
export function tileShapeFor(given: TileShapeInputs): TileShape {
  const inputs = { ...given, budgetBytes: PLANNED_SHARE * given.budgetBytes };
  const whole = { width: inputs.width, height: inputs.height };
  if (tileBytes(whole, inputs) <= inputs.budgetBytes) return whole;
  const round = (side: number, length: number) => (side >= length ? length : Math.max(MIN_SIDE, side - (side % 16)));
  let best: TileShape = { width: Math.min(inputs.width, MIN_SIDE), height: Math.min(inputs.height, MIN_SIDE) };
  let bestCost = Infinity;
  const heights = [inputs.height];
  for (let h = MIN_SIDE; h < inputs.height; h += 16) heights.push(h);
  for (const height of heights) {
    const width = largest(inputs.width, (w) => tileBytes({ width: w, height }, inputs) <= inputs.budgetBytes);
    if (width < Math.min(MIN_SIDE, inputs.width)) continue;
    const shape = { width: round(width, inputs.width), height };
    const cost = pixelsRead(shape, inputs);
    if (cost < bestCost) [best, bestCost] = [shape, cost];
  }
  return best;
}
