import { describe, it } from 'vitest';
import { conv, convTranspose, weightGradientLimits } from '../../src/graph/ops/conv.js';
import { mul } from '../../src/graph/ops/elementwise.js';
import { gemm, matmul } from '../../src/graph/ops/matmul.js';
import { pad } from '../../src/graph/ops/pad.js';
import { reduceMean, reduceSum } from '../../src/graph/ops/reduce.js';
import { concat, expandLike, flatten, flip, reshape, slice, split, squeeze, transpose, unsqueeze } from '../../src/graph/ops/shape.js';
import { batchNormInference, batchNormTraining } from '../../src/graph/ops/batchNorm.js';
import { depthToSpace, pixelShuffle, pixelUnshuffle, spaceToDepth } from '../../src/graph/ops/pixelShuffle.js';
import { averagePool, maxPool } from '../../src/graph/ops/pool.js';
import { resizeBilinear, resizeNearest } from '../../src/graph/ops/resize.js';
import { checkGradients } from './gradcheck.js';

describe('gradient rules of convolutions match finite differences', () => {
  it('Conv 3x3, padded, with bias', () =>
    checkGradients([{ shape: [2, 3, 6, 5] }, { shape: [4, 3, 3, 3] }, { shape: [4] }], (x, w, b) => conv(x, w, b, { pads: [1, 1, 1, 1] })));
  it('Conv strided 3x3 (stride 2, pad 1)', () =>
    checkGradients([{ shape: [2, 3, 7, 6] }, { shape: [4, 3, 3, 3] }], (x, w) => conv(x, w, undefined, { strides: [2, 2], pads: [1, 1, 1, 1] })));
  it('Conv strided 4x4 with stride 2 (the SRGAN discriminator layout)', () =>
    checkGradients([{ shape: [1, 2, 8, 8] }, { shape: [3, 2, 4, 4] }], (x, w) => conv(x, w, undefined, { strides: [2, 2], pads: [1, 1, 1, 1] })));
  it('Conv 4x4 stride 2 on an odd size (the last padded row and column are never read)', () =>
    checkGradients([{ shape: [2, 3, 9, 7] }, { shape: [2, 3, 4, 4] }, { shape: [2] }], (x, w, b) => conv(x, w, b, { strides: [2, 2], pads: [1, 1, 1, 1] })));
  it('Conv 4x4 stride 2 whose last input row is never read', () =>
    checkGradients([{ shape: [1, 2, 9, 7] }, { shape: [2, 2, 4, 4] }], (x, w) => conv(x, w, undefined, { strides: [2, 2], pads: [2, 1, 0, 1] })));
  it('Conv 6x3 stride 3, unpadded', () =>
    checkGradients([{ shape: [1, 2, 10, 8] }, { shape: [3, 2, 6, 3] }], (x, w) => conv(x, w, undefined, { strides: [3, 3] })));
  it('Conv on a quarter as many pixels as output channels (weight gradient with the batch folded into one product)', () =>
    checkGradients([{ shape: [2, 2, 2, 2] }, { shape: [16, 2, 3, 3] }], (x, w) => conv(x, w, undefined, { pads: [1, 1, 1, 1] })));
  it('Conv 4x4 stride 2 in 2 groups on 4x4 pixels (batch-folded, grouped)', () =>
    checkGradients([{ shape: [3, 4, 4, 4] }, { shape: [32, 2, 4, 4] }], (x, w) => conv(x, w, undefined, { strides: [2, 2], pads: [1, 1, 1, 1], group: 2 })));
  it('Conv whose patch tensor is over budget (weight gradient by im2col over 3 chunks of the batch)', async () => {
    const budget = weightGradientLimits.patchFloats;
    weightGradientLimits.patchFloats = 2 * 9 * 5 * 5; // one sample's patches: 3 samples -> 3 chunks
    try {
      await checkGradients([{ shape: [3, 2, 5, 5] }, { shape: [3, 2, 3, 3] }, { shape: [3] }], (x, w, b) => conv(x, w, b, { pads: [1, 1, 1, 1] }));
    } finally {
      weightGradientLimits.patchFloats = budget;
    }
  });
  it('Conv grouped (2 groups) and dilated', () =>
    checkGradients([{ shape: [2, 4, 7, 7] }, { shape: [6, 2, 3, 3] }], (x, w) => conv(x, w, undefined, { pads: [2, 2, 2, 2], dilations: [2, 2], group: 2 })));
  it('Conv depthwise', () =>
    checkGradients([{ shape: [1, 3, 5, 5] }, { shape: [3, 1, 3, 3] }], (x, w) => conv(x, w, undefined, { pads: [1, 1, 1, 1], group: 3 })));
  it('Conv 1x1', () => checkGradients([{ shape: [2, 5, 4, 3] }, { shape: [3, 5, 1, 1] }, { shape: [3] }], (x, w, b) => conv(x, w, b)));
  it('Conv 5x5 with more input than output channels (weight gradient by a conv of dy with x)', () =>
    checkGradients([{ shape: [2, 4, 7, 6] }, { shape: [2, 4, 5, 5] }, { shape: [2] }], (x, w, b) => conv(x, w, b, { pads: [2, 1, 2, 3] })));
  it('Conv with few output channels (built as a ConvTranspose)', () =>
    checkGradients([{ shape: [2, 8, 6, 5] }, { shape: [2, 8, 3, 3] }, { shape: [2] }], (x, w, b) => conv(x, w, b, { pads: [1, 0, 2, 1] })));
  it('Conv 9x9 with asymmetric padding', () =>
    checkGradients([{ shape: [1, 2, 10, 10] }, { shape: [2, 2, 9, 9] }], (x, w) => conv(x, w, undefined, { pads: [4, 3, 4, 5] })));
  it('ConvTranspose stride 2 with output padding', () =>
    checkGradients([{ shape: [2, 3, 4, 4] }, { shape: [3, 2, 3, 3] }], (z, w) => convTranspose(z, w, undefined, { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] })));
});

describe('gradient rules of matrix products match finite differences', () => {
  it('MatMul batched with broadcasting', () => checkGradients([{ shape: [2, 3, 4] }, { shape: [4, 5] }], matmul));
  it('Gemm with transposes, alpha, beta and a broadcast bias', () =>
    checkGradients([{ shape: [4, 3] }, { shape: [5, 4] }, { shape: [5] }], (a, b, c) => gemm(a, b, c, { transA: true, transB: true, alpha: 0.5, beta: 2 })));
});

describe('gradient rules of shape ops match finite differences', () => {
  it('Reshape', () => checkGradients([{ shape: [2, 3, 4] }], (x) => mul(reshape(x, [0, -1]), reshape(x, [2, 12]))));
  it('Transpose', () => checkGradients([{ shape: [2, 3, 4] }], (x) => transpose(x, [2, 0, 1])));
  it('Flatten', () => checkGradients([{ shape: [2, 3, 2, 2] }], (x) => flatten(x, 2)));
  it('Squeeze and Unsqueeze', () => checkGradients([{ shape: [3, 1, 4] }], (x) => unsqueeze(squeeze(x, [1]), [0, 3])));
  it('Concat', () => checkGradients([{ shape: [2, 3, 2] }, { shape: [2, 1, 2] }], (a, b) => concat([a, b, a], 1)));
  it('Split, with an unused part', () => checkGradients([{ shape: [2, 5] }], (x) => mul(split(x, 1, [2, 3])[1], 2)));
  it('Slice', () => checkGradients([{ shape: [4, 6] }], (x) => slice(x, [1, -4], [3, 5], [0, 1])));
  it('Slice with negative step (flip)', () => checkGradients([{ shape: [3, 4] }], (x) => mul(flip(x, [0, 1]), x)));
  it('Pad with zeros', () => checkGradients([{ shape: [1, 2, 3, 3] }], (x) => pad(x, [0, 0, 1, 2, 0, 0, 2, 1])));
  it('Pad reflect', () => checkGradients([{ shape: [1, 2, 4, 5] }], (x) => pad(x, [0, 0, 2, 1, 0, 0, 1, 3], 'reflect')));
  it('Pad edge', () => checkGradients([{ shape: [1, 1, 3, 4] }], (x) => pad(x, [0, 0, 2, 1, 0, 0, 1, 2], 'edge')));
});

describe('gradient rules of reductions match finite differences', () => {
  it('ReduceSum over some axes', () => checkGradients([{ shape: [2, 3, 4] }], (x) => reduceSum(x, [0, 2])));
  it('ReduceSum keeping dims', () => checkGradients([{ shape: [2, 3, 4] }], (x) => reduceSum(x, [1], true)));
  it('ReduceMean', () => checkGradients([{ shape: [2, 3, 4] }], (x) => reduceMean(x, [1, 2])));
});


function distinct(shape: number[]): { shape: number[]; data: Float32Array } {
  const size = shape.reduce((a, b) => a * b, 1);
  // A permutation of well-separated values: no ties inside a pooling window, even after a finite-difference step.
  return { shape, data: Float32Array.from({ length: size }, (_, i) => ((i * 7919) % size) / size) };
}

describe('gradient rules of resampling ops match finite differences', () => {
  it('PixelShuffle (DepthToSpace CRD)', () => checkGradients([{ shape: [2, 8, 3, 2] }], (x) => pixelShuffle(x, 2)));
  it('DepthToSpace DCR', () => checkGradients([{ shape: [1, 9, 2, 2] }], (x) => depthToSpace(x, 3, 'DCR')));
  it('SpaceToDepth', () => checkGradients([{ shape: [1, 2, 4, 6] }], (x) => spaceToDepth(x, 2)));
  it('PixelUnshuffle', () => checkGradients([{ shape: [2, 3, 4, 6] }], (x) => pixelUnshuffle(x, 2)));
  it('nearest Resize x2 and x3', () => checkGradients([{ shape: [1, 2, 3, 4] }], (x) => resizeNearest(x, [2, 3])));
  it('bilinear Resize x2', () => checkGradients([{ shape: [1, 2, 3, 4] }], (x) => resizeBilinear(x, 2)));
  it('AveragePool 2x2', () => checkGradients([{ shape: [2, 3, 4, 6] }], (x) => averagePool(x, [2, 2])));
  it('MaxPool 2x2', () => checkGradients([distinct([2, 3, 4, 6])], (x) => maxPool(x, [2, 2]), { epsilon: 1e-3 }));
});

describe('gradient rules of batch normalisation match finite differences', () => {
  it('BatchNorm in training mode (batch statistics)', () =>
    checkGradients([{ shape: [3, 2, 3, 3] }, { shape: [2] }, { shape: [2] }], (x, gamma, beta) => {
      const g = x.graph;
      const running = { mean: g.constant({ dtype: 'float32', shape: [2], data: new Float32Array(2) }), variance: g.constant({ dtype: 'float32', shape: [2], data: new Float32Array([1, 1]) }) };
      return batchNormTraining(x, gamma, beta, running).y;
    }));
  it('BatchNorm in evaluation mode', () =>
    checkGradients([{ shape: [2, 3, 2, 2] }, { shape: [3] }, { shape: [3] }], (x, gamma, beta) => {
      const g = x.graph;
      const mean = g.constant({ dtype: 'float32', shape: [3], data: new Float32Array([0.1, -0.2, 0.3]) });
      const variance = g.constant({ dtype: 'float32', shape: [3], data: new Float32Array([0.5, 1.5, 2]) });
      return batchNormInference(x, gamma, beta, mean, variance);
    }));
});

describe('gradient rule of Expand matches finite differences', () => {
  it('Expand (broadcast copy) sums back', () => checkGradients([{ shape: [3, 1] }, { shape: [2, 3, 4] }], (a, like) => mul(expandLike(a, like), like)));
});
