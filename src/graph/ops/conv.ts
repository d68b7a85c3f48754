import { graphOf, requireFloat, requireRank } from '../graph.js';
import { defineOp } from '../opDefinition.js';
import { formatShape, windowOutputDim, type Dim } from '../shape.js';
import { float32Tensor } from '../tensorData.js';
import type { Value } from '../value.js';
import { matmul } from './matmul.js';
import { reduceSum } from './reduce.js';
import { add } from './elementwise.js';
import { flip, reshape, split, transpose } from './shape.js';

export interface ConvOptions {
  strides?: readonly [number, number];
  /** [top, left, bottom, right], as ONNX orders them. */
  pads?: readonly [number, number, number, number];
  dilations?: readonly [number, number];
  group?: number;
}

interface ConvSpec {
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  group: number;
  kernel: [number, number];
}

function convSpec(w: Value, options: ConvOptions, op: string): ConvSpec {
  const [kh, kw] = [w.shape[2], w.shape[3]];
  if (typeof kh !== 'number' || typeof kw !== 'number') throw new RangeError(`${op}: the kernel size must be static, got ${formatShape(w.shape)}`);
  return {
    strides: [...(options.strides ?? [1, 1])] as [number, number],
    pads: [...(options.pads ?? [0, 0, 0, 0])] as [number, number, number, number],
    dilations: [...(options.dilations ?? [1, 1])] as [number, number],
    group: options.group ?? 1,
    kernel: [kh, kw],
  };
}

/** The checks Conv and ConvTranspose share (same graph, float, 4-D input and weight), then the spec. */
function checkedSpec(op: string, x: Value, w: Value, b: Value | undefined, options: ConvOptions): ConvSpec {
  graphOf(op, x, w, b);
  requireFloat(op, x, w);
  requireRank(op, x, 4, 'input');
  requireRank(op, w, 4, 'weight');
  return convSpec(w, options, op);
}

function convAttributes(spec: ConvSpec) {
  return { kernel_shape: spec.kernel, strides: spec.strides, pads: spec.pads, dilations: spec.dilations, group: spec.group };
}

function staticDims(value: Value, op: string): number[] {
  if (!value.shape.every((d) => typeof d === 'number')) {
    throw new Error(`${op}: needs static shapes to build its gradient, got ${formatShape(value.shape)} (train with fixed patch sizes)`);
  }
  return value.shape as number[];
}

export const ConvOp = defineOp({
  type: 'Conv',
  gradient: ({ node, inputs: [x, w, b], gradOutputs: [dy], needsGrad }) => {
    const spec = node.meta as unknown as ConvSpec;
    return [
      needsGrad[0] ? convInputGradient(dy!, w!, x!, spec) : undefined,
      needsGrad[1] ? convWeightGradient(x!, dy!, w!, spec) : undefined,
      b && needsGrad[2] ? reduceSum(dy!, [0, 2, 3]) : undefined,
    ];
  },
});

/** 2-D convolution (cross-correlation, as PyTorch and ONNX): x [N, Cin, H, W], w [Cout, Cin/group, kh, kw], b [Cout]. */
export function conv(x: Value, w: Value, b?: Value, options: ConvOptions = {}): Value {
  const spec = checkedSpec('Conv', x, w, b, options);
  const [cout, cinPerGroup] = w.shape;
  const cin = x.shape[1];
  if (typeof cin === 'number' && typeof cinPerGroup === 'number' && cin !== cinPerGroup * spec.group) {
    throw new RangeError(`Conv: input ${formatShape(x.shape)} has ${cin} channels, weight ${formatShape(w.shape)} with group ${spec.group} expects ${Number(cinPerGroup) * spec.group}`);
  }
  if (typeof cout === 'number' && cout % spec.group !== 0) throw new RangeError(`Conv: ${cout} output channels are not divisible by group ${spec.group}`);
  if (b && (b.rank !== 1 || (typeof b.shape[0] === 'number' && b.shape[0] !== cout))) {
    throw new RangeError(`Conv: bias ${formatShape(b.shape)} must be [${cout}]`);
  }
  if (fewOutputChannels(spec, cout, cin)) return convAsTransposed(x, w, b, spec);
  const shape: Dim[] = [
    x.shape[0],
    cout,
    windowOutputDim(x.shape[2], spec.kernel[0], spec.strides[0], spec.pads[0], spec.pads[2], spec.dilations[0]),
    windowOutputDim(x.shape[3], spec.kernel[1], spec.strides[1], spec.pads[1], spec.pads[3], spec.dilations[1]),
  ];
  return x.graph.addNode(ConvOp, b ? [x, w, b] : [x, w], convAttributes(spec), [{ dtype: 'float32', shape }], spec as unknown as Record<string, unknown>)[0];
}

/**
 * A conv with few output channels (an RGB output layer) runs badly as im2col + GEMM on ORT: the GEMM has
 * M = Cout rows and the patch matrix it streams is huge (SRResNet's 9x9 64->3 tail: 134 ms for a batch of
 * 16 at 96x96). The same conv written as a ConvTranspose of the flipped, channel-swapped kernel is a GEMM
 * with M = Cout*kh*kw followed by col2im, and ran in 37 ms.
 */
function fewOutputChannels(spec: ConvSpec, cout: Dim, cin: Dim): boolean {
  const plain = spec.group === 1 && spec.strides.every((v) => v === 1) && spec.dilations.every((v) => v === 1);
  const kk = spec.kernel[0] * spec.kernel[1];
  const padsFit = spec.pads.every((p, i) => p <= spec.kernel[i % 2] - 1);
  return plain && kk > 1 && padsFit && typeof cout === 'number' && typeof cin === 'number' && cout < 8 && cout * 4 <= cin;
}

function convAsTransposed(x: Value, w: Value, b: Value | undefined, spec: ConvSpec): Value {
  const [kh, kw] = spec.kernel;
  const [pt, pl, pb, pr] = spec.pads;
  return convTranspose(x, flipTransposeKernel(w, 1), b, { pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] });
}

export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: readonly [number, number];
}

export const ConvTransposeOp = defineOp({
  type: 'ConvTranspose',
  gradient: ({ node, inputs: [z, w, b], gradOutputs: [dy], needsGrad }) => {
    const spec = node.meta as unknown as ConvSpec;
    const options = { strides: spec.strides, pads: spec.pads, dilations: spec.dilations, group: spec.group };
    // ConvTranspose is the adjoint of Conv: its input gradient is a Conv, its weight gradient is Conv's
    // weight gradient with the roles of input and output gradient exchanged.
    return [
      needsGrad[0] ? conv(dy!, w!, undefined, options) : undefined,
      needsGrad[1] ? convWeightGradient(dy!, z!, w!, spec) : undefined,
      b && needsGrad[2] ? reduceSum(dy!, [0, 2, 3]) : undefined,
    ];
  },
});

/** Transposed convolution: z [N, Cin, H, W], w [Cin, Cout/group, kh, kw] (the layout of the Conv it inverts). */
export function convTranspose(z: Value, w: Value, b?: Value, options: ConvTransposeOptions = {}): Value {
  const spec = checkedSpec('ConvTranspose', z, w, b, options);
  const outputPadding = options.outputPadding ?? [0, 0];
  if (typeof z.shape[1] === 'number' && typeof w.shape[0] === 'number' && z.shape[1] !== w.shape[0]) {
    throw new RangeError(`ConvTranspose: input ${formatShape(z.shape)} has ${z.shape[1]} channels, weight ${formatShape(w.shape)} expects ${w.shape[0]}`);
  }
  const outDim = (d: Dim, axis: 0 | 1): Dim => {
    const extra = spec.dilations[axis] * (spec.kernel[axis] - 1) + 1 + outputPadding[axis] - spec.pads[axis] - spec.pads[axis + 2];
    return typeof d === 'number' ? (d - 1) * spec.strides[axis] + extra : `(${d}-1)*${spec.strides[axis]}+${extra}`;
  };
  const cout = typeof w.shape[1] === 'number' ? w.shape[1] * spec.group : `${w.shape[1]}*${spec.group}`;
  const shape: Dim[] = [z.shape[0], cout, outDim(z.shape[2], 0), outDim(z.shape[3], 1)];
  return z.graph.addNode(
    ConvTransposeOp,
    b ? [z, w, b] : [z, w],
    { ...convAttributes(spec), output_padding: outputPadding },
    [{ dtype: 'float32', shape }],
    spec as unknown as Record<string, unknown>,
  )[0];
}

/**
 * Gradient of Conv with respect to its input. With stride 1 it is a Conv of dy with the weight flipped
 * and its channel axes exchanged (the fast formulation on ORT, ~114 GFLOP/s measured); strided convs use
 * ConvTranspose with the output padding that restores the input size.
 */
function convInputGradient(dy: Value, w: Value, x: Value, spec: ConvSpec): Value {
  const [kh, kw] = spec.kernel;
  const [dh, dw] = spec.dilations;
  const flippedPads = [dh * (kh - 1) - spec.pads[0], dw * (kw - 1) - spec.pads[1], dh * (kh - 1) - spec.pads[2], dw * (kw - 1) - spec.pads[3]] as const;
  if (spec.strides[0] === 1 && spec.strides[1] === 1 && flippedPads.every((p) => p >= 0)) {
    return conv(dy, flipTransposeKernel(w, spec.group), undefined, { pads: flippedPads, dilations: spec.dilations, group: spec.group });
  }
  const [, , h, width] = staticDims(x, 'Conv gradient');
  const [, , hy, wy] = staticDims(dy, 'Conv gradient');
  const outputPadding: [number, number] = [
    h - ((hy - 1) * spec.strides[0] - spec.pads[0] - spec.pads[2] + dh * (kh - 1) + 1),
    width - ((wy - 1) * spec.strides[1] - spec.pads[1] - spec.pads[3] + dw * (kw - 1) + 1),
  ];
  return convTranspose(dy, w, undefined, { strides: spec.strides, pads: spec.pads, dilations: spec.dilations, group: spec.group, outputPadding });
}

/** [Cout, Cin/g, kh, kw] -> [Cin, Cout/g, kh, kw] with both spatial axes reversed. */
function flipTransposeKernel(w: Value, group: number): Value {
  const [cout, cinPerGroup, kh, kw] = staticDims(w, 'Conv gradient');
  const swapped =
    group === 1
      ? transpose(w, [1, 0, 2, 3])
      : reshape(transpose(reshape(w, [group, cout / group, cinPerGroup, kh, kw]), [0, 2, 1, 3, 4]), [cinPerGroup * group, cout / group, kh, kw]);
  return kh === 1 && kw === 1 ? swapped : flip(swapped, [2, 3]);
}

/**
 * Gradient of Conv with respect to its weight. Two formulations, chosen per layer:
 * - im2col: a grouped Conv with one-hot kernels turns each input channel's patches into kh*kw channels,
 *   then a batched MatMul with dy and a sum over the batch. Fastest for small kernels on ORT's CPU
 *   kernels (46-62 GFLOP/s measured), but its patch tensor holds N*Cin*kh*kw*Ho*Wo floats.
 * - a Conv over batch-transposed tensors (x and dy with batch and channels swapped, one as input, the
 *   other as kernel), which needs no patch tensor. Used for kernels of 5x5 and more (the 9x9 convs of
 *   SRResNet at HR size would need 3 GB of patches), with the orientation that gives the larger GEMM.
 * Smaller kernels whose patch tensor would be large take im2col over a few samples at a time.
 */
function convWeightGradient(x: Value, dy: Value, w: Value, spec: ConvSpec): Value {
  const [n, cin, h, width] = staticDims(x, 'Conv weight gradient');
  const [, cout, ho, wo] = staticDims(dy, 'Conv weight gradient');
  const kk = spec.kernel[0] * spec.kernel[1];
  const patchFloats = n * cin * kk * ho * wo;
  const plain = spec.group === 1 && spec.strides.every((s) => s === 1) && spec.dilations.every((d) => d === 1);
  if (plain && kk >= 25) return transposedWeightGradient(x, dy, spec, cin, cout);
  const chunks = kk > 1 ? Math.ceil(patchFloats / weightGradientLimits.patchFloats) : 1;
  if (chunks === 1) return im2colWeightGradient(x, dy, w, spec, [n, cin, h, width], [cout, ho, wo]);
  if (chunks > n && plain) return transposedWeightGradient(x, dy, spec, cin, cout);
  // Patches over budget: im2col over a few samples at a time, summed. (The transposed formulation's
  // GEMMs have N = kh*kw = 9 columns and ran at ~12 GFLOP/s on the 3x3 weight gradients of WGAN-GP's penalty.)
  const sizes = evenParts(n, Math.min(chunks, n));
  const xs = split(x, 0, sizes);
  const dys = split(dy, 0, sizes);
  return sizes
    .map((part, i) => im2colWeightGradient(xs[i], dys[i], w, spec, [part, cin, h, width], [cout, ho, wo]))
    .reduce((sum, partial) => add(sum, partial));
}

/** `total` as `parts` integers that differ by at most one. */
function evenParts(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor((total * (i + 1)) / parts) - Math.floor((total * i) / parts));
}

/** Floats one im2col patch tensor may take (256 MB); tests lower it to reach the chunked path on small tensors. */
export const weightGradientLimits = { patchFloats: 64 * 1024 * 1024 };

function im2colWeightGradient(x: Value, dy: Value, w: Value, spec: ConvSpec, [n, cin, h, width]: number[], [cout, ho, wo]: number[]): Value {
  const [kh, kw] = spec.kernel;
  const g = spec.group;
  const kk = kh * kw;
  const pointwise = kk === 1 && spec.strides.every((s) => s === 1) && spec.pads.every((p) => p === 0);
  let columns: Value;
  if (pointwise) {
    columns = reshape(x, [n, g, cin / g, h * width]);
  } else {
    const oneHot = new Float32Array(kk * kk);
    for (let k = 0; k < kk; k++) oneHot[k * kk + k] = 1;
    const patches = conv(reshape(x, [n * cin, 1, h, width]), x.graph.constant(float32Tensor(oneHot, [kk, 1, kh, kw])), undefined, {
      strides: spec.strides,
      pads: spec.pads,
      dilations: spec.dilations,
    });
    columns = reshape(patches, [n, g, (cin / g) * kk, ho * wo]);
  }
  // ORT's Transpose moves about a quarter as many floats per second as the per-sample path writes and sums.
  const summed = 4 * ho * wo <= cout / g ? batchFoldedProduct(columns, dy, [n, g, cout / g, ho * wo]) : perSampleProduct(columns, dy, [n, g, cout / g, ho * wo]);
  return reshape(transpose(summed, [0, 2, 1]), w.shape.map((d) => d as number));
}

/**
 * sum over n of columns[n] @ dy[n]^T as one product per sample, then a sum over the batch: no copy of the
 * patch tensor, but a [N, g, Cin/g*kk, Cout/g] intermediate. For layers with many pixels.
 */
function perSampleProduct(columns: Value, dy: Value, [n, g, coutPerGroup, pixels]: number[]): Value {
  const dyT = transpose(reshape(dy, [n, g, coutPerGroup, pixels]), [0, 1, 3, 2]);
  return reduceSum(matmul(columns, dyT), [0]); // [g, Cin/g * kk, Cout/g]
}

/**
 * The same sum with the batch folded into the inner dimension: one product with K = N*pixels. For the
 * deep layers of a discriminator (4x4 to 16x16 pixels, 512 channels) the per-sample products have K = 16
 * to 64 and their [N, 8192, 512] intermediate outweighed the products; transposing the (small) patch
 * tensor instead costs N*Cin*kk*pixels floats.
 */
function batchFoldedProduct(columns: Value, dy: Value, [n, g, coutPerGroup, pixels]: number[]): Value {
  const rows = columns.shape[2] as number;
  const columnsFolded = reshape(transpose(columns, [1, 2, 0, 3]), [g, rows, n * pixels]);
  const dyFolded = reshape(transpose(reshape(dy, [n, g, coutPerGroup, pixels]), [1, 0, 3, 2]), [g, n * pixels, coutPerGroup]);
  return matmul(columnsFolded, dyFolded);
}

/**
 * dW[co, ci, i, j] = sum over n, y, x of dy[n, co, y, x] * x[n, ci, y + i - pt, x + j - pl] (stride 1,
 * no dilation, one group), computed as a Conv whose batch axis is one tensor's channels and whose input
 * channels are the batch. ORT runs it as one GEMM per batch item with M = that Conv's output channels,
 * so the orientation with more output channels is used.
 */
function transposedWeightGradient(x: Value, dy: Value, spec: ConvSpec, cin: number, cout: number): Value {
  const [kh, kw] = spec.kernel;
  const [pt, pl, pb, pr] = spec.pads;
  const xT = transpose(x, [1, 0, 2, 3]); // [Cin, N, H, W]
  const dyT = transpose(dy, [1, 0, 2, 3]); // [Cout, N, Ho, Wo]
  if (cout >= cin) {
    // Input x (batch Cin), kernel dy: out[ci, co, i, j], no flip.
    return transpose(conv(xT, dyT, undefined, { pads: [pt, pl, pb, pr] }), [1, 0, 2, 3]);
  }
  // Input dy (batch Cout), kernel x: out[co, ci, kh-1-i, kw-1-j].
  const flipped = conv(dyT, xT, undefined, { pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] });
  return flip(flipped, [2, 3]);
}
