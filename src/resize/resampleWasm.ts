import { loadWasmKernels, WasmLayout } from '../io/wasmKernels.js';
import type { Contributions } from './contributions.js';

/**
 * The two separable passes of MATLAB `imresize`, run by the WebAssembly kernels compiled from
 * `assembly/resample.ts` (`npm run build` writes `build/resample.wasm`). Scalar JavaScript ran the
 * same arithmetic 2.5-4x slower; the kernels keep float64 sums in tap order, so results are unchanged.
 */
interface ResampleExports {
  toLevels(ptr: number, count: number, max: number): void;
  resampleRows(src: number, width: number, outLength: number, taps: number, indices: number, weights: number,
    dst: number, acc: number, max: number, scale: number, clampUnit: number): void;
  resampleColumns(src: number, height: number, inWidth: number, outLength: number, taps: number, indices: number,
    weights: number, dst: number, max: number, scale: number, clampUnit: number): void;
}

const WASM_PATH = new URL('../../build/resample.wasm', import.meta.url);
const loadKernels = () => loadWasmKernels<ResampleExports>(WASM_PATH);

export interface PlaneResample {
  rows: Contributions;
  columns: Contributions;
  rowsFirst: boolean;
  /** Round each pass to integer levels 0..quantizeMax (MATLAB on integer images); else float, clamped to [0, 1] at the end. */
  quantizeMax?: number;
}

/** Resize one [0, 1] plane of inHeight x inWidth to rows.outLength x columns.outLength. */
/** WebAssembly (32-bit) addresses at most 4 GiB: the resampler's whole working set must fit in it. */
export const WASM_MEMORY_LIMIT = 4 * 1024 ** 3;

/**
 * Bytes of WebAssembly memory `resamplePlane` needs for one plane: source, intermediate and result as
 * float32 (the intermediate is at most the larger of the two), plus taps. For checking before work starts.
 */
export function resampleBytesNeeded(inHeight: number, inWidth: number, outHeight: number, outWidth: number): number {
  const planes = inHeight * inWidth + Math.max(outHeight * inWidth, inHeight * outWidth) + outHeight * outWidth;
  return 4 * planes + 64 * (outHeight + outWidth);
}

export function resamplePlane(source: Float32Array, inHeight: number, inWidth: number, spec: PlaneResample): Float32Array {
  const k = loadKernels();
  const { rows, columns, rowsFirst } = spec;
  const outHeight = rows.outLength;
  const outWidth = columns.outLength;
  const max = spec.quantizeMax ?? 0;
  const midHeight = rowsFirst ? outHeight : inHeight;
  const midWidth = rowsFirst ? inWidth : outWidth;

  const layout = new WasmLayout();
  const src = layout.alloc(source.byteLength);
  const mid = layout.alloc(midHeight * midWidth * 4);
  const dst = layout.alloc(outHeight * outWidth * 4);
  const acc = layout.alloc(Math.max(inWidth, outWidth) * 8);
  const rowIndices = layout.alloc(rows.indices.byteLength);
  const rowWeights = layout.alloc(rows.weights.byteLength);
  const columnIndices = layout.alloc(columns.indices.byteLength);
  const columnWeights = layout.alloc(columns.weights.byteLength);
  layout.ensure(k.memory);

  const buffer = k.memory.buffer;
  new Float32Array(buffer, src, source.length).set(source);
  new Int32Array(buffer, rowIndices, rows.indices.length).set(rows.indices);
  new Float64Array(buffer, rowWeights, rows.weights.length).set(rows.weights);
  new Int32Array(buffer, columnIndices, columns.indices.length).set(columns.indices);
  new Float64Array(buffer, columnWeights, columns.weights.length).set(columns.weights);

  if (max > 0) k.toLevels(src, source.length, max);
  const lastScale = max > 0 ? 1 / max : 1;
  if (rowsFirst) {
    k.resampleRows(src, inWidth, outHeight, rows.taps, rowIndices, rowWeights, mid, acc, max, 1, 0);
    k.resampleColumns(mid, outHeight, inWidth, outWidth, columns.taps, columnIndices, columnWeights, dst, max, lastScale, 1);
  } else {
    k.resampleColumns(src, inHeight, inWidth, outWidth, columns.taps, columnIndices, columnWeights, mid, max, 1, 0);
    k.resampleRows(mid, outWidth, outHeight, rows.taps, rowIndices, rowWeights, dst, acc, max, lastScale, 1);
  }
  return new Float32Array(buffer, dst, outHeight * outWidth).slice();
}
