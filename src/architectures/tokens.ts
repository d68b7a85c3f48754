import { layerNorm } from '../graph/ops/normalization.js';
import { reshape, transpose } from '../graph/ops/shape.js';
import type { Value } from '../graph/value.js';
import type { BuildContext } from '../nn/buildContext.js';
import { constantInit } from '../nn/init.js';

/** [B, C, H, W] -> tokens [B*H*W, C] (row-major pixels): Swin's patch embedding with patch size 1, the reference's "b c h w -> b (h w) c" (SwinIR, HAT, DAT). */
export function toTokens(x: Value): Value {
  const [b, c, h, w] = x.shape as number[];
  return reshape(transpose(reshape(x, [b, c, h * w]), [0, 2, 1]), [b * h * w, c]);
}

/** Tokens [B*H*W, C] -> [B, C, H, W]. */
export function toPicture(tokens: Value, b: number, h: number, w: number): Value {
  const c = tokens.shape[1] as number;
  return reshape(transpose(reshape(tokens, [b, h * w, c]), [0, 2, 1]), [b, c, h, w]);
}

/** torch.nn.LayerNorm(c) under `name`: weight and bias. */
export function tokenNorm(ctx: BuildContext, name: string, x: Value, c: number): Value {
  const scope = ctx.child(name);
  return layerNorm(x, scope.parameter('weight', [c], 1, constantInit(1)), scope.parameter('bias', [c], 1, constantInit(0)));
}
