import { mul } from '../../graph/ops/elementwise.js';
import { cast, concat, shapeOf, slice } from '../../graph/ops/shape.js';
import type { Attributes } from '../../graph/node.js';
import { scaleDim, type Dim } from '../../graph/shape.js';
import { float32Tensor, int64Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import { resize } from './inferenceOps.js';
import { channelsOf, type LayerContext, type LayerConverter } from './layerContext.js';

/**
 * ncnn's Interp (src/layer/interp.cpp) as ONNX Resize:
 * - nearest: source pixel floor(x / scale), ONNX 'asymmetric' + 'floor';
 * - bilinear: half-pixel centres with the source clamped at the edges (align_corner: corner-aligned);
 * - bicubic: the same coordinates, Keys' cubic with a = -0.75 (PyTorch's), edge pixels repeated.
 * The output is the given size (parameters 3 and 4) or floor(size * scale) (parameters 1 and 2).
 */
function resizeAttributes(context: LayerContext): Attributes {
  const type = context.params.int(0, 0);
  const coordinates = context.params.int(6, 0) !== 0 ? 'align_corners' : 'half_pixel';
  switch (type) {
    case 1:
      return { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' };
    case 2:
      return { mode: 'linear', coordinate_transformation_mode: coordinates };
    case 3:
      return { mode: 'cubic', coordinate_transformation_mode: coordinates, cubic_coeff_a: { float: -0.75 } };
    default:
      return context.fail(`resize_type ${type} is not supported (1 nearest, 2 bilinear, 3 bicubic)`);
  }
}

/** floor(d * scale) with ncnn's float32 product. */
function scaledDim(d: Dim, scale: number): Dim {
  if (Number.isInteger(scale)) return scaleDim(d, scale);
  return typeof d === 'number' ? Math.floor(Math.fround(d * Math.fround(scale))) : `floor(${d}*${scale})`;
}

/**
 * The output sizes [N, C, floor(H * sh), floor(W * sw)] computed when the model runs. Linear and cubic
 * resizing by a fractional scale needs them: ncnn places samples by the ratio of the actual sizes,
 * which ONNX does only when given sizes rather than scales.
 */
function scaledSizes(x: Value, scales: readonly [number, number]): Value {
  const shape = shapeOf(x);
  const spatial = cast(slice(shape, [2], [4], [0]), 'float32');
  const scaled = cast(mul(spatial, x.graph.constant(float32Tensor(scales, [2]))), 'int64'); // Cast truncates: floor for sizes
  return concat([slice(shape, [0], [2], [0]), scaled], 0);
}

export const interpLayer: LayerConverter = (context) => {
  const p = context.params;
  if (p.int(5, 0) !== 0 || context.inputs.length !== 1) context.fail('takes its output size from another blob (dynamic_target_size), which is not supported');
  if (p.has(9)) context.fail('an output size given as an expression is not supported');
  const x = context.inputs[0];
  const attributes = resizeAttributes(context);
  const [outputHeight, outputWidth] = [p.int(3, 0), p.int(4, 0)];
  if (outputHeight !== 0 && outputWidth !== 0) {
    const shape = [1, channelsOf(context, x), outputHeight, outputWidth];
    return [resize(x, { sizes: x.graph.constant(int64Tensor(shape)) }, attributes, shape)];
  }
  const scales: [number, number] = [p.float(1, 1), p.float(2, 1)];
  if (!scales.every((s) => s > 0)) context.fail(`scales ${scales.join(', ')} must be positive`);
  const shape = [x.shape[0], x.shape[1], scaledDim(x.shape[2], scales[0]), scaledDim(x.shape[3], scales[1])];
  const exact = attributes.mode === 'nearest' || scales.every(Number.isInteger);
  return [resize(x, exact ? { scales } : { sizes: scaledSizes(x, scales) }, attributes, shape)];
};
