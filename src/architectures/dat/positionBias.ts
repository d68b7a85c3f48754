import { relu } from '../../graph/ops/activations.js';
import { gatherRows } from '../../graph/ops/gather.js';
import { transpose } from '../../graph/ops/shape.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Graph } from '../../graph/graph.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { linear } from '../../nn/linear.js';
import { tokenNorm } from '../tokens.js';
import { windowOffsetIndex, windowOffsets } from './rectangleWindows.js';

/** The width of the position MLP of attention over `channels` channels: the reference's (channels // 4) // 4. */
export const positionFeatures = (channels: number): number => Math.floor(Math.floor(channels / 4) / 4);

/**
 * Dynamic relative position bias (CrossFormer's, as DAT uses it, without residuals): each window
 * offset (dy, dx) goes through `pos.pos_proj` and three LayerNorm -> ReLU -> Linear stages
 * (`pos.pos1/2/3`, slots 0 and 2) to one bias per head; the pairs of a window pick theirs.
 * [heads, N, N] for an hs x ws window. The offsets and the index are rebuilt, not read.
 */
export function dynamicPositionBias(ctx: BuildContext, graph: Graph, hs: number, ws: number, channels: number, heads: number): Value {
  const features = positionFeatures(channels);
  const pos = ctx.child('pos');
  const offsets = graph.constant(float32Tensor(windowOffsets(hs, ws), [(2 * hs - 1) * (2 * ws - 1), 2]));
  let table = linear(pos, 'pos_proj', offsets, 2, features);
  for (const [stage, out] of [['pos1', features], ['pos2', features], ['pos3', heads]] as const) {
    const scope = pos.child(stage);
    table = linear(scope, '2', relu(tokenNorm(scope, '0', table, features)), features, out);
  }
  const n = hs * ws;
  return transpose(gatherRows(table, { data: windowOffsetIndex(hs, ws), shape: [n, n] }), [2, 0, 1]);
}
