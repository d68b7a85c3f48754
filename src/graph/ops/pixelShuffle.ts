import { requireRank } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { divideDim, formatShape, scaleDim } from '../shape.js';
import type { Value } from '../value.js';
import { reshape, reshapeLike, transpose } from './shape.js';

function staticShape(x: Value, op: string): number[] {
  if (!x.shape.every((d) => typeof d === 'number')) throw new Error(`${op}: needs a static shape, got ${formatShape(x.shape)}`);
  return x.shape as number[];
}

export const DepthToSpaceOp = defineOp({
  type: 'DepthToSpace',
  gradient: ({ node, gradOutputs: [dy] }) => {
    const r = node.attributes.blocksize as number;
    return [node.attributes.mode === 'CRD' ? pixelUnshuffle(dy!, r) : spaceToDepth(dy!, r)];
  },
});

export const SpaceToDepthOp = defineOp({
  type: 'SpaceToDepth',
  gradient: ({ node, gradOutputs: [dy] }) => [depthToSpace(dy!, node.attributes.blocksize as number, 'DCR')],
});

/**
 * [N, C*r*r, H, W] -> [N, C, H*r, W*r]. Mode 'CRD' is PyTorch's PixelShuffle (the default); 'DCR' is
 * the inverse of ONNX SpaceToDepth.
 */
export function depthToSpace(x: Value, r: number, mode: 'CRD' | 'DCR' = 'CRD'): Value {
  requireRank('DepthToSpace', x, 4);
  const shape = [x.shape[0], divideDim(x.shape[1], r * r, 'DepthToSpace'), scaleDim(x.shape[2], r), scaleDim(x.shape[3], r)];
  return x.graph.addNode(DepthToSpaceOp, [x], { blocksize: r, mode }, [{ dtype: x.dtype, shape }])[0];
}

/** PyTorch's PixelShuffle(r). */
export const pixelShuffle = (x: Value, r: number): Value => depthToSpace(x, r, 'CRD');

/** ONNX SpaceToDepth: [N, C, H*r, W*r] -> [N, C*r*r, H, W], channel order (row offset, column offset, channel). */
export function spaceToDepth(x: Value, r: number): Value {
  requireRank('SpaceToDepth', x, 4);
  const shape = [x.shape[0], scaleDim(x.shape[1], r * r), divideDim(x.shape[2], r, 'SpaceToDepth'), divideDim(x.shape[3], r, 'SpaceToDepth')];
  return x.graph.addNode(SpaceToDepthOp, [x], { blocksize: r }, [{ dtype: x.dtype, shape }])[0];
}

/**
 * PyTorch's PixelUnshuffle(r), the inverse of PixelShuffle: [N, C, H*r, W*r] -> [N, C*r*r, H, W]
 * (channel order: channel, row offset, column offset). Symbolic sizes need a static channel count.
 */
export function pixelUnshuffle(x: Value, r: number): Value {
  requireRank('PixelUnshuffle', x, 4);
  if (!x.shape.every((d) => typeof d === 'number')) return pixelUnshuffleSymbolic(x, r);
  const [n, c, h, w] = staticShape(x, 'PixelUnshuffle');
  if (h % r !== 0 || w % r !== 0) throw new RangeError(`PixelUnshuffle: ${formatShape(x.shape)} is not divisible by ${r}`);
  const blocks = reshape(x, [n, c, h / r, r, w / r, r]);
  return reshape(transpose(blocks, [0, 1, 3, 5, 2, 4]), [n, c * r * r, h / r, w / r]);
}

/** An exported model's sizes are symbolic: SpaceToDepth, then its (row, column, channel) order regrouped channel first. */
function pixelUnshuffleSymbolic(x: Value, r: number): Value {
  const channels = x.shape[1];
  if (typeof channels !== 'number') throw new Error(`PixelUnshuffle: needs a static channel count, got ${formatShape(x.shape)}`);
  const depth = spaceToDepth(x, r);
  const channelFirst = transpose(reshape(depth, [0, r * r, channels, -1]), [0, 2, 1, 3]);
  return reshapeLike(channelFirst, depth);
}
