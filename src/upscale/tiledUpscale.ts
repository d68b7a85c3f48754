import { throwIfCancelled } from '../errors.js';
import type { ImageTensor } from '../image/tensor.js';
import { blendWeight, planAxis, type TileSpan } from './tilePlan.js';
import type { TileRunner } from './tileRunner.js';
import type { TileShape } from './tileShape.js';

/** Where enlarged rows go: an 8/16-bit raster (big pictures) or a float tensor (evaluation). */
export interface PixelSink {
  readonly width: number;
  readonly height: number;
  /** Store `rows` full-width rows of values in [0, 1] into `channel`, starting at row `top`. */
  putRows(channel: number, top: number, values: Float32Array, rows: number): void;
}

export interface TiledUpscaleOptions {
  /** Tile size in input pixels, context excluded; the whole picture where it is at least as large. */
  tile: TileShape;
  /** Context on each side of a tile, in input pixels. */
  pad: number;
  /** Input pixels neighbouring tiles share, blended across. */
  overlap: number;
  /** Tiles' inputs start on multiples of this (see `planAxis`). */
  align?: number;
  /** Write the RGB result to sink channels [channel, channel + 3), or their mean to `channel` ('mean'). */
  channel: number;
  reduce?: 'rgb' | 'mean';
  signal?: AbortSignal;
  /** Called after every tile. */
  onTile?: (done: number, total: number) => void;
}

/** The input pixels of a tile with its context: planar [3, h, w]. */
function cropPlanes(image: ImageTensor, x: TileSpan, y: TileSpan): Float32Array {
  const w = x.inputEnd - x.inputStart;
  const h = y.inputEnd - y.inputStart;
  const out = new Float32Array(3 * h * w);
  const size = image.width * image.height;
  for (let c = 0; c < 3; c++) {
    for (let row = 0; row < h; row++) {
      const from = c * size + (y.inputStart + row) * image.width + x.inputStart;
      out.set(image.data.subarray(from, from + w), (c * h + row) * w);
    }
  }
  return out;
}

export function checkNotAborted(signal: AbortSignal | undefined): void {
  throwIfCancelled(signal);
}

/**
 * Enlarge a 3-channel picture with a tile runner, tile by tile, into `sink` (already sized
 * width * scale x height * scale). Only one row of tiles is held in floating point at a time (a
 * strip of output rows accumulating the blended tiles), so memory is bounded by the tile size and
 * the picture's width, not its area.
 */
export async function tiledUpscale(image: ImageTensor, runner: TileRunner, sink: PixelSink, options: TiledUpscaleOptions): Promise<void> {
  const { scale } = runner;
  const plan = { pad: options.pad, overlap: options.overlap, scale, align: options.align };
  const columns = planAxis(image.width, { ...plan, tile: options.tile.width });
  const rows = planAxis(image.height, { ...plan, tile: options.tile.height });
  const outWidth = image.width * scale;
  const outChannels = options.reduce === 'mean' ? 1 : 3;
  if (sink.width !== outWidth || sink.height !== image.height * scale) throw new RangeError('tiledUpscale: output size does not match');

  const stripRows = Math.max(...rows.map((r) => r.outputEnd - r.outputStart));
  const strip = new Float32Array(outChannels * stripRows * outWidth);
  const stripPlane = stripRows * outWidth;
  const columnWeights = columns.map((span) => Float32Array.from({ length: span.outputEnd - span.outputStart }, (_, i) => blendWeight(span, span.outputStart + i)));
  const total = rows.length * columns.length;
  let done = 0;
  let stripTop = 0; // output row held in the strip's first row

  for (const [r, rowSpan] of rows.entries()) {
    for (const columnSpan of columns) {
      checkNotAborted(options.signal);
      const inWidth = columnSpan.inputEnd - columnSpan.inputStart;
      const inHeight = rowSpan.inputEnd - rowSpan.inputStart;
      const output = await runner.run(cropPlanes(image, columnSpan, rowSpan), inHeight, inWidth);
      const tileWidth = inWidth * scale;
      const tilePlane = tileWidth * inHeight * scale;
      const xOffset = columnSpan.outputStart - columnSpan.inputStart * scale;
      const yOffset = rowSpan.outputStart - rowSpan.inputStart * scale;
      const weights = columnWeights[columns.indexOf(columnSpan)];
      for (let y = rowSpan.outputStart; y < rowSpan.outputEnd; y++) {
        const wy = blendWeight(rowSpan, y);
        if (wy === 0) continue;
        const source = (y - rowSpan.outputStart + yOffset) * tileWidth + xOffset;
        const target = (y - stripTop) * outWidth + columnSpan.outputStart;
        for (let c = 0; c < outChannels; c++) {
          const into = c * stripPlane + target;
          if (outChannels === 3) {
            const from = c * tilePlane + source;
            for (let i = 0; i < weights.length; i++) strip[into + i] += wy * weights[i] * output[from + i];
          } else {
            for (let i = 0; i < weights.length; i++) {
              const k = source + i;
              strip[into + i] += (wy * weights[i] * (output[k] + output[tilePlane + k] + output[2 * tilePlane + k])) / 3;
            }
          }
        }
      }
      options.onTile?.(++done, total);
    }

    // Rows before the next row's blend zone are final: hand them to the sink, keep the rest.
    const finalEnd = r + 1 < rows.length ? rows[r + 1].outputStart : rows[r].outputEnd;
    const finished = finalEnd - stripTop;
    for (let c = 0; c < outChannels; c++) {
      sink.putRows(options.channel + c, stripTop, strip.subarray(c * stripPlane, c * stripPlane + finished * outWidth), finished);
      strip.copyWithin(c * stripPlane, c * stripPlane + finished * outWidth, (c + 1) * stripPlane);
      strip.fill(0, (c + 1) * stripPlane - finished * outWidth, (c + 1) * stripPlane);
    }
    stripTop = finalEnd;
  }
}
