import { gelu, sigmoid, silu } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { layerNorm } from '../../graph/ops/normalization.js';
import { pixelShuffle } from '../../graph/ops/pixelShuffle.js';
import { reduceMean } from '../../graph/ops/reduce.js';
import { reshape, split, transpose } from '../../graph/ops/shape.js';
import type { Value } from '../../graph/value.js';
import type { BuildContext } from '../../nn/buildContext.js';
import { conv2d } from '../../nn/conv2d.js';
import { constantInit } from '../../nn/init.js';
import { linear } from '../../nn/linear.js';
import { channelAttention, spatialAttention } from './attention.js';
import { enhancedSpatialAttention } from './esa.js';

export interface OmniSROptions {
  features: number;
  /** OSAG groups, each `blocks` OSA blocks. */
  groups: number;
  blocks: number;
  window: number;
  /** Relative-position bias in the spatial attentions. */
  positionBias: boolean;
  /** Biases on the input, output, upsampler and group-end convs. */
  bias: boolean;
  scale: number;
}

/** The reference's LayerNorm2d: LayerNorm over the channels of each pixel (eps 1e-6). */
function channelLayerNorm(ctx: BuildContext, x: Value, c: number): Value {
  const nhwc = transpose(x, [0, 2, 3, 1]);
  return transpose(layerNorm(nhwc, ctx.parameter('weight', [c], 1, constantInit(1)), ctx.parameter('bias', [c], 1, constantInit(0)), 1e-6), [0, 3, 1, 2]);
}

/** Conv_PreNormResidual: x + fn(LayerNorm2d(x)), with `norm` and `fn` under `ctx`. */
function convPreNormResidual(ctx: BuildContext, x: Value, c: number, fn: (ctx: BuildContext, normed: Value) => Value): Value {
  return add(fn(ctx.child('fn'), channelLayerNorm(ctx.child('norm'), x, c)), x);
}

/** Gated_Conv_FeedForward (mult 1, no biases): project_in to 2C, depthwise 3x3, GELU(first half) x second half, project_out. */
function gatedFeedForward(ctx: BuildContext, x: Value, c: number): Value {
  const widened = conv2d(ctx, 'dwconv', conv2d(ctx, 'project_in', x, c, 2 * c, { kernel: 1, bias: false }), 2 * c, 2 * c, { kernel: 3, groups: 2 * c, bias: false });
  const [gate, value] = split(widened, 1, [c, c]);
  return conv2d(ctx, 'project_out', mul(gelu(gate), value), c, c, { kernel: 1, bias: false });
}

/** Squeeze-excitation: channel weights from the pixel mean through C/4 (SiLU) and sigmoid, no biases (`gate.1`, `gate.3`). */
function squeezeExcitation(ctx: BuildContext, x: Value, c: number): Value {
  const [b] = x.shape as number[];
  const hidden = Math.floor(c / 4);
  const gate = ctx.child('gate');
  const weights = sigmoid(linear(gate, '3', silu(linear(gate, '1', reduceMean(x, [2, 3]), c, hidden, false)), hidden, c, false));
  return mul(x, reshape(weights, [b, c, 1, 1]));
}

/** MBConv with expansion 1 and no norms, as OmniSR's first step: 1x1, GELU, depthwise 3x3, GELU, SE, 1x1, plus the input (fn.0/2/4/5). */
function mbConv(ctx: BuildContext, x: Value, c: number): Value {
  const fn = ctx.child('fn');
  let y = gelu(conv2d(fn, '0', x, c, c, { kernel: 1 }));
  y = gelu(conv2d(fn, '2', y, c, c, { kernel: 3, groups: c }));
  y = conv2d(fn, '5', squeezeExcitation(fn.child('4'), y, c), c, c, { kernel: 1 });
  return add(y, x);
}

/**
 * One OSA block (`layer.N`, the numbers of the reference's Sequential, whose Rearrange steps 1, 3, 7
 * and 9 hold nothing): MBConv; window attention, FFN, channel attention in windows, FFN; grid
 * attention, FFN, channel attention across windows, FFN.
 */
function osaBlock(ctx: BuildContext, x: Value, o: OmniSROptions): Value {
  const layer = ctx.child('layer');
  const c = o.features;
  const ffn = (i: number, y: Value) => convPreNormResidual(layer.child(i), y, c, (fn, normed) => gatedFeedForward(fn, normed, c));
  let y = mbConv(layer.child(0), x, c);
  y = spatialAttention(layer.child(2), y, { channels: c, window: o.window, grouping: 'window', positionBias: o.positionBias });
  y = ffn(4, y);
  y = convPreNormResidual(layer.child(5), y, c, (fn, normed) => channelAttention(fn, normed, c, o.window, 'window'));
  y = ffn(6, y);
  y = spatialAttention(layer.child(8), y, { channels: c, window: o.window, grouping: 'grid', positionBias: o.positionBias });
  y = ffn(10, y);
  y = convPreNormResidual(layer.child(11), y, c, (fn, normed) => channelAttention(fn, normed, c, o.window, 'grid'));
  return ffn(12, y);
}

/** OSAG: the blocks and a 1x1 conv (`residual_layer.{blocks}`), the group's input added, then ESA. */
function osaGroup(ctx: BuildContext, x: Value, o: OmniSROptions): Value {
  const body = ctx.child('residual_layer');
  let y = x;
  for (let i = 0; i < o.blocks; i++) y = osaBlock(body.child(i), y, o);
  y = conv2d(body, String(o.blocks), y, o.features, o.features, { kernel: 1, bias: o.bias });
  return enhancedSpatialAttention(ctx.child('esa'), add(y, x), o.features);
}

/**
 * OmniSR (Wang et al. 2023, Omni Aggregation Networks): `input` conv, OSAG groups, `output` conv plus
 * the input features, then a PixelShuffle upsampler (`up.0`). Built for one picture size, a multiple of
 * the window (the caller pads it with zeros, as the reference does): the grid attention groups pixels
 * across the whole picture. Names are the reference's.
 */
export function omnisr(ctx: BuildContext, x: Value, o: OmniSROptions): Value {
  const [b, channels, h, w] = x.shape;
  if (![b, h, w].every((d) => typeof d === 'number')) throw new RangeError('OmniSR: the graph is built for one picture size; give static dims');
  if ((h as number) % o.window !== 0 || (w as number) % o.window !== 0) throw new RangeError(`OmniSR: ${h}x${w} is not a multiple of the window ${o.window}`);
  const c = o.features;
  const features = conv2d(ctx, 'input', x, channels as number, c, { kernel: 3, bias: o.bias });
  let y = features;
  for (let g = 0; g < o.groups; g++) y = osaGroup(ctx.child('residual_layer').child(g), y, o);
  const body = add(conv2d(ctx, 'output', y, c, c, { kernel: 3, bias: o.bias }), features);
  const outChannels = channels as number;
  return pixelShuffle(conv2d(ctx.child('up'), '0', body, c, outChannels * o.scale * o.scale, { kernel: 3, bias: o.bias }), o.scale);
}
