import { requireFloat, requireRank } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { scaleDim } from '../shape.js';
import { float32Tensor } from '../tensorData.js';
import type { Value } from '../value.js';

/**
 * Bilinear upsampling (half-pixel centres, edges clamped) as ONNX Resize 'linear': PyTorch's
 * `F.interpolate(mode='bilinear', align_corners=False)`, for any (symbolic) size. No gradient rule:
 * networks use it on their input only (MSRResNet adds the bilinear-enlarged LR to its output);
 * `resizeBilinear` in resize.ts is the differentiable form for static sizes.
 */
export const ResizeLinearOp = defineOp({ type: 'Resize' });

export function resizeLinear(x: Value, factor: number): Value {
  requireFloat('ResizeLinear', x);
  requireRank('ResizeLinear', x, 4);
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`ResizeLinear: factor must be a positive integer, got ${factor}`);
  const scales = x.graph.constant(float32Tensor([1, 1, factor, factor], [4]));
  const shape = [x.shape[0], x.shape[1], scaleDim(x.shape[2], factor), scaleDim(x.shape[3], factor)];
  return x.graph.addNode(ResizeLinearOp, [x, undefined, scales], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }, [{ dtype: 'float32', shape }])[0];
}
