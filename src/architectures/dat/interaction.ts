import { gelu } from '../../graph/ops/activations.js';
import { reduceMean } from '../../graph/ops/reduce.js';
import type { Value } from '../../graph/value.js';
import { batchNorm2d } from '../../nn/batchNorm2d.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';

/**
 * DAT's adaptive interaction: beside each attention a depthwise-conv branch runs on V, and the two
 * gate each other, one with a per-channel map, the other with a per-pixel map (sigmoids applied by
 * the caller, which decides who gates whom). Names are the reference's Sequential slots.
 */

/** `dwconv`: depthwise 3x3 conv -> BatchNorm -> GELU on the V picture [B, C, H, W]. */
export function convBranch(ctx: BuildContext, v: Value, c: number): Value {
  const scope = ctx.child('dwconv');
  return gelu(batchNorm2d(scope, '1', conv2d(scope, '0', v, c, c, { kernel: 3, groups: c }), c));
}

/** `channel_interaction`: global average -> 1x1 (C/8) -> BatchNorm -> GELU -> 1x1 (C): a [B, C, 1, 1] map before its sigmoid. */
export function channelMap(ctx: BuildContext, x: Value, c: number): Value {
  const scope = ctx.child('channel_interaction');
  const squeezed = Math.floor(c / 8);
  const pooled = reduceMean(x, [2, 3], true);
  return conv2d(scope, '4', gelu(batchNorm2d(scope, '2', conv2d(scope, '1', pooled, c, squeezed, { kernel: 1 }), squeezed)), squeezed, c, { kernel: 1 });
}

/** `spatial_interaction`: 1x1 (C/16) -> BatchNorm -> GELU -> 1x1 (1): a [B, 1, H, W] map before its sigmoid. */
export function spatialMap(ctx: BuildContext, x: Value, c: number): Value {
  const scope = ctx.child('spatial_interaction');
  const squeezed = Math.floor(c / 16);
  return conv2d(scope, '3', gelu(batchNorm2d(scope, '1', conv2d(scope, '0', x, c, squeezed, { kernel: 1 }), squeezed)), squeezed, 1, { kernel: 1 });
}
