import { requireRank } from '../graph.js';
import { formatShape } from '../shape.js';
import { float32Tensor } from '../tensorData.js';
import type { Value } from '../value.js';
import { matmul } from './matmul.js';

/**
 * The [outLength, inLength] matrix of 1-D linear interpolation as PyTorch's `align_corners=False` with
 * an output size: source = (i + 0.5) * in / out - 0.5, clamped at 0, between its two neighbours (the
 * upper one clamped to the last).
 */
export function bilinearWeights(inLength: number, outLength: number): Float32Array {
  const weights = new Float32Array(outLength * inLength);
  const ratio = inLength / outLength;
  for (let i = 0; i < outLength; i++) {
    const source = Math.max((i + 0.5) * ratio - 0.5, 0);
    const low = Math.min(Math.floor(source), inLength - 1);
    const high = Math.min(low + 1, inLength - 1);
    const t = source - low;
    weights[i * inLength + low] += 1 - t;
    weights[i * inLength + high] += t;
  }
  return weights;
}

/**
 * torch.nn.functional.interpolate(x, size, mode='bilinear', align_corners=False) to any static size
 * (ESA enlarges a few pooled cells back to the picture): rows then columns as products with constant
 * interpolation matrices, so its gradient is MatMul's. Cheap for the small inputs it is meant for.
 */
export function resizeBilinearTo(x: Value, size: readonly [number, number]): Value {
  requireRank('resizeBilinearTo', x, 4);
  const [height, width] = [x.shape[2], x.shape[3]];
  if (typeof height !== 'number' || typeof width !== 'number') throw new RangeError(`resizeBilinearTo: needs a static height and width, got ${formatShape(x.shape)}`);
  const [outHeight, outWidth] = size;
  const rows = x.graph.constant(float32Tensor(bilinearWeights(height, outHeight), [outHeight, height]));
  const columns = x.graph.constant(float32Tensor(transposed(bilinearWeights(width, outWidth), outWidth, width), [width, outWidth]));
  return matmul(matmul(rows, x), columns);
}

function transposed(m: Float32Array, rows: number, columns: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) t[c * rows + r] = m[r * columns + c];
  return t;
}
