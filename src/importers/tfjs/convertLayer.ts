import { z } from 'zod';
import type { Graph } from '../../graph/graph.js';
import { leakyRelu, prelu } from '../../graph/ops/activations.js';
import { add, mul } from '../../graph/ops/elementwise.js';
import { depthToSpace } from '../../graph/ops/pixelShuffle.js';
import { resizeNearest } from '../../graph/ops/resize.js';
import { concat } from '../../graph/ops/shape.js';
import type { TensorData } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import { kerasConv2d } from './conv2d.js';
import { clamp, KERAS_ACTIVATIONS } from './kerasActivations.js';
import type { KerasLayer } from './modelJson.js';
import { permuteWeight } from './weightLayout.js';

/**
 * Keras layers as graph ops. TF.js computes in NHWC; the graph stays NCHW throughout (ONNX's layout,
 * which onnxruntime's kernels expect), so each layout-aware layer maps its axes and weights instead of
 * transposing activations: a channel axis -1 becomes 1, conv kernels [kh, kw, cin, cout] become
 * [cout, cin, kh, kw].
 */
export interface LayerContext {
  readonly graph: Graph;
  readonly layer: KerasLayer & { name: string };
  /** The layer's config, checked against what the converter supports. */
  config<T>(schema: z.ZodType<T>): T;
  /** The layer's weight '<layer>/<suffix>' (e.g. 'kernel'), float32 in Keras layout. */
  weight(suffix: string): TensorData;
  /** Stop with an error about this layer. */
  fail(problem: string): never;
}

type LayerConverter = (inputs: Value[], context: LayerContext) => Value;

/** A size Keras writes either as one number or as [rows, columns]. */
const pair = z
  .union([z.number().int().positive(), z.tuple([z.number().int().positive(), z.number().int().positive()])])
  .transform((v): [number, number] => (typeof v === 'number' ? [v, v] : v));

const channelsLast = z.literal('channels_last', { error: "only data_format 'channels_last' (TF.js's layout) is supported" });

const conv2dConfig = z.object({
  filters: z.number().int().positive(),
  kernel_size: pair,
  strides: pair.default([1, 1]),
  padding: z.enum(['same', 'valid']).default('valid'),
  data_format: channelsLast.nullish(),
  dilation_rate: pair.default([1, 1]),
  groups: z.literal(1, { error: 'grouped convolutions are not supported' }).default(1),
  activation: z.string().nullish(),
  use_bias: z.boolean().default(true),
});

function activation(name: string | null | undefined, context: LayerContext): (x: Value) => Value {
  const fn = KERAS_ACTIVATIONS[name ?? 'linear'];
  if (!fn) context.fail(`activation '${name}' is not supported (known: ${Object.keys(KERAS_ACTIVATIONS).join(', ')})`);
  return fn;
}

function single(inputs: Value[], context: LayerContext): Value {
  if (inputs.length !== 1) context.fail(`takes one input, got ${inputs.length}`);
  return inputs[0];
}

function several(inputs: Value[], context: LayerContext): Value[] {
  if (inputs.length < 2) context.fail(`takes at least two inputs, got ${inputs.length}`);
  return inputs;
}

/** A Keras axis of a rank-4 NHWC tensor as the NCHW axis it becomes. */
function nchwAxis(axis: number, context: LayerContext): number {
  const nhwc = axis < 0 ? axis + 4 : axis;
  if (!Number.isInteger(nhwc) || nhwc < 0 || nhwc > 3) context.fail(`axis ${axis} is out of range for an image tensor`);
  return [0, 2, 3, 1][nhwc];
}

function convertConv2D(inputs: Value[], context: LayerContext): Value {
  const config = context.config(conv2dConfig);
  const x = single(inputs, context);
  if (config.strides.some((s) => s > 1) && config.dilation_rate.some((d) => d > 1)) context.fail('strides and dilation_rate above 1 together are not supported');
  const kernel = context.weight('kernel');
  const [kh, kw, , filters] = kernel.shape;
  if (kernel.shape.length !== 4 || kh !== config.kernel_size[0] || kw !== config.kernel_size[1] || filters !== config.filters) {
    context.fail(`weight '${context.layer.name}/kernel' has shape [${kernel.shape.join(', ')}], not [${config.kernel_size.join(', ')}, in, ${config.filters}]`);
  }
  const w = context.graph.constant(permuteWeight(kernel, [3, 2, 0, 1]));
  const b = config.use_bias ? context.graph.constant(context.weight('bias')) : undefined;
  const y = kerasConv2d(x, w, b, { strides: config.strides, padding: config.padding, dilations: config.dilation_rate });
  return activation(config.activation, context)(y);
}

/** UpscalerJS's MultiplyBeta (packages/shared/src/esrgan/esrgan.ts) multiplies by its constant BETA = 0.2; it ignores its saved config. */
const UPSCALERJS_BETA = 0.2;

/** UpscalerJS's PixelShuffle<r>x layers: tf.depthToSpace(x, r, 'NHWC'). */
const PIXEL_SHUFFLE = /^PixelShuffle(\d+)x$/;

const CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: convertConv2D,
  Activation: (inputs, context) => activation(context.config(z.object({ activation: z.string() })).activation, context)(single(inputs, context)),
  ReLU: (inputs, context) => {
    const config = context.config(
      z.object({
        max_value: z.number().nullish(),
        negative_slope: z.literal(0, { error: 'a negative_slope is not supported' }).default(0),
        threshold: z.literal(0, { error: 'a threshold is not supported' }).default(0),
      }),
    );
    const x = single(inputs, context);
    return config.max_value === null || config.max_value === undefined ? KERAS_ACTIVATIONS.relu(x) : clamp(x, 0, config.max_value);
  },
  LeakyReLU: (inputs, context) => leakyRelu(single(inputs, context), context.config(z.object({ alpha: z.number().default(0.3) })).alpha),
  PReLU: (inputs, context) => {
    const alpha = context.weight('alpha');
    if (alpha.shape.length !== 3) context.fail(`weight '${context.layer.name}/alpha' has shape [${alpha.shape.join(', ')}], not [height, width, channels]`);
    // Keras keeps one slope per (row, column, channel), 1 along shared axes: [h, w, c] -> [c, h, w].
    return prelu(single(inputs, context), context.graph.constant(permuteWeight(alpha, [2, 0, 1])));
  },
  Add: (inputs, context) => several(inputs, context).reduce((sum, x) => add(sum, x)),
  Multiply: (inputs, context) => several(inputs, context).reduce((product, x) => mul(product, x)),
  Concatenate: (inputs, context) => concat(several(inputs, context), nchwAxis(context.config(z.object({ axis: z.number().int().default(-1) })).axis, context)),
  UpSampling2D: (inputs, context) => {
    const config = context.config(
      z.object({
        size: pair.default([2, 2]),
        data_format: channelsLast.nullish(),
        interpolation: z.literal('nearest', { error: "only interpolation 'nearest' is supported" }).default('nearest'),
      }),
    );
    return resizeNearest(single(inputs, context), config.size);
  },
  MultiplyBeta: (inputs, context) => mul(single(inputs, context), UPSCALERJS_BETA),
};

/**
 * Apply one Keras layer to NCHW inputs. The class names are Keras's plus UpscalerJS's custom layers
 * (MultiplyBeta, PixelShuffle<r>x); anything else is reported by name.
 */
export function convertLayer(inputs: Value[], context: LayerContext): Value {
  const className = context.layer.class_name;
  const shuffle = PIXEL_SHUFFLE.exec(className);
  // TF's depth_to_space takes channel (i * r + j) * C + c to pixel offset (i, j), channel c: ONNX's DCR order.
  if (shuffle) return depthToSpace(single(inputs, context), Number(shuffle[1]), 'DCR');
  const converter = CONVERTERS[className];
  if (!converter) context.fail(`unknown layer class; enhance imports ${[...Object.keys(CONVERTERS), 'PixelShuffle<r>x'].join(', ')}`);
  return converter(inputs, context);
}
