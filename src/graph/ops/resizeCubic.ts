import { requireFloat, requireRank } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { scaleDim } from '../shape.js';
import { float32Tensor } from '../tensorData.js';
import type { Value } from '../value.js';

/**
 * Bicubic upsampling (Keys a = -0.5, half-pixel centres) as ONNX Resize 'cubic'. It has no gradient
 * rule: networks use it on their input only (SRCNN and U-Net take the bicubic-enlarged LR), where no
 * gradient is needed; `grad` names it if one ever is.
 */
export const ResizeCubicOp = defineOp({ type: 'Resize' });

export function resizeBicubic(x: Value, factor: number): Value {
  requireFloat('ResizeBicubic', x);
  requireRank('ResizeBicubic', x, 4);
  const scales = x.graph.constant(float32Tensor([1, 1, factor, factor], [4]));
  const shape = [x.shape[0], x.shape[1], scaleDim(x.shape[2], factor), scaleDim(x.shape[3], factor)];
  return x.graph.addNode(ResizeCubicOp, [x, undefined, scales], { mode: 'cubic', cubic_coeff_a: { float: -0.5 }, coordinate_transformation_mode: 'half_pixel' }, [
    { dtype: 'float32', shape },
  ])[0];
}
