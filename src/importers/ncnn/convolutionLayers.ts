import { conv, convTranspose } from '../../graph/ops/conv.js';
import { float32Tensor } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import { fusedActivation } from './activationLayers.js';
import { channelsOf, requireInputCount, type LayerContext, type LayerConverter } from './layerContext.js';

/** ncnn's pad value for ONNX auto_pad SAME_UPPER / SAME_LOWER. */
const PAD_SAME_UPPER = -233;
const PAD_SAME_LOWER = -234;

/** The window parameters Convolution, ConvolutionDepthWise and Deconvolution share (w first, h defaulting to w). */
interface Window {
  outputs: number;
  kernel: [number, number];
  dilations: [number, number];
  strides: [number, number];
  /** [top, left, bottom, right] as ncnn wrote them (possibly -233/-234). */
  pads: [number, number, number, number];
  weightCount: number;
  bias: boolean;
}

function windowParams(context: LayerContext): Window {
  const p = context.params;
  const kernelW = p.int(1, 0);
  const dilationW = p.int(2, 1);
  const strideW = p.int(3, 1);
  const padLeft = p.int(4, 0);
  const padTop = p.int(14, padLeft);
  const window: Window = {
    outputs: p.int(0, 0),
    kernel: [p.int(11, kernelW), kernelW],
    dilations: [p.int(12, dilationW), dilationW],
    strides: [p.int(13, strideW), strideW],
    pads: [padTop, padLeft, p.int(16, padTop), p.int(15, padLeft)],
    weightCount: p.int(6, 0),
    bias: p.int(5, 0) !== 0,
  };
  if (window.outputs <= 0 || ![...window.kernel, ...window.dilations, ...window.strides].every((v) => v >= 1)) {
    context.fail(`num_output ${window.outputs}, kernel ${window.kernel.join('x')}, dilation and stride must be positive`);
  }
  if (p.int(8, 0) !== 0) context.fail('has int8 quantization (int8_scale_term), which is not supported (use a float32 or float16 model)');
  return window;
}

/** Explicit [top, left, bottom, right] pads; ncnn's SAME padding is only static for stride 1. */
function explicitPads(context: LayerContext, window: Window): [number, number, number, number] {
  const { pads, kernel, dilations, strides } = window;
  const same = [PAD_SAME_UPPER, PAD_SAME_LOWER].find((mode) => pads.every((pad) => pad === mode));
  if (same !== undefined) {
    if (strides.some((s) => s !== 1)) context.fail('SAME padding (-233/-234) with a stride other than 1 is not supported');
    // Stride 1 pads by the kernel extent minus one; SAME_UPPER puts the odd pixel at the end.
    const [totalH, totalW] = [dilations[0] * (kernel[0] - 1), dilations[1] * (kernel[1] - 1)];
    const [halfH, halfW] = [Math.floor(totalH / 2), Math.floor(totalW / 2)];
    return same === PAD_SAME_UPPER
      ? [halfH, halfW, totalH - halfH, totalW - halfW]
      : [totalH - halfH, totalW - halfW, halfH, halfW];
  }
  if (pads.some((pad) => pad < 0)) context.fail(`pads ${pads.join(', ')} are not supported`);
  if (context.params.float(18, 0) !== 0 && pads.some((pad) => pad > 0)) context.fail('padding with a non-zero pad_value is not supported');
  return pads;
}

function readWeights(context: LayerContext, window: Window, expected: number): { weight: Float32Array; bias?: Float32Array } {
  if (window.weightCount !== expected) {
    context.fail(`weight_data_size is ${window.weightCount}, its shape (num_output, input channels, kernel) needs ${expected}`);
  }
  const weight = context.weights.taggedWeights(window.weightCount, context.layer.name);
  const bias = window.bias ? context.weights.rawFloats(window.outputs, context.layer.name, 'bias') : undefined;
  return { weight, bias };
}

function convolutionWithGroups(context: LayerContext, group: number): Value[] {
  requireInputCount(context, 1);
  const p = context.params;
  if (p.int(19, 0) !== 0) context.fail('takes its weights from a blob (dynamic_weight), which is not supported');
  const x = context.inputs[0];
  const window = windowParams(context);
  const channels = channelsOf(context, x);
  if (group < 1 || channels % group !== 0 || window.outputs % group !== 0) {
    context.fail(`group ${group} does not divide ${channels} input and ${window.outputs} output channels`);
  }
  const kernelSize = window.kernel[0] * window.kernel[1];
  const { weight, bias } = readWeights(context, window, window.outputs * (channels / group) * kernelSize);
  // ncnn stores a convolution's weights as ONNX does: [out][in / group][kh][kw].
  const graph = x.graph;
  const w = graph.constant(float32Tensor(weight, [window.outputs, channels / group, ...window.kernel]));
  const b = bias && graph.constant(float32Tensor(bias, [window.outputs]));
  const y = conv(x, w, b, { strides: window.strides, dilations: window.dilations, pads: explicitPads(context, window), group });
  return [fusedActivation(context, y)];
}

export const convolutionLayer: LayerConverter = (context) => convolutionWithGroups(context, 1);

export const convolutionDepthWiseLayer: LayerConverter = (context) => convolutionWithGroups(context, context.params.int(7, 1));

/** [out][in][kh][kw] (ncnn's deconvolution layout) -> [in][out][kh][kw] (ONNX ConvTranspose's). */
function swapChannelAxes(weight: Float32Array, outputs: number, inputs: number, kernelSize: number): Float32Array {
  const swapped = new Float32Array(weight.length);
  for (let o = 0; o < outputs; o++) {
    for (let i = 0; i < inputs; i++) {
      swapped.set(weight.subarray((o * inputs + i) * kernelSize, (o * inputs + i + 1) * kernelSize), (i * outputs + o) * kernelSize);
    }
  }
  return swapped;
}

/**
 * ncnn's Deconvolution scatters each input pixel through the kernel (no flip), then cuts the pads from
 * the border and keeps output_pad extra rows/columns at the bottom/right: ONNX ConvTranspose exactly.
 */
export const deconvolutionLayer: LayerConverter = (context) => {
  requireInputCount(context, 1);
  const p = context.params;
  if (p.int(28, 0) !== 0) context.fail('takes its weights from a blob (dynamic_weight), which is not supported');
  if (p.int(20, 0) > 0 || p.int(21, 0) > 0) context.fail('a fixed output size (output_w/output_h) is not supported');
  const x = context.inputs[0];
  const window = windowParams(context);
  if (window.pads.some((pad) => pad < 0)) context.fail(`pads ${window.pads.join(', ')} are not supported`);
  const channels = channelsOf(context, x);
  const kernelSize = window.kernel[0] * window.kernel[1];
  const { weight, bias } = readWeights(context, window, window.outputs * channels * kernelSize);
  const graph = x.graph;
  const w = graph.constant(float32Tensor(swapChannelAxes(weight, window.outputs, channels, kernelSize), [channels, window.outputs, ...window.kernel]));
  const b = bias && graph.constant(float32Tensor(bias, [window.outputs]));
  const outputPadRight = p.int(18, 0);
  const y = convTranspose(x, w, b, {
    strides: window.strides,
    dilations: window.dilations,
    pads: window.pads,
    outputPadding: [p.int(19, outputPadRight), outputPadRight],
  });
  return [fusedActivation(context, y)];
};
