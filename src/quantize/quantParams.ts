/**
 * The arithmetic of ONNX's linear quantization, q = saturate(round(x / scale) + zeroPoint), for the two
 * forms enhance writes: activations as uint8 with a zero point (their ranges are lopsided: after a
 * LeakyReLU almost all of it is positive), weights as int8, symmetric, one scale per output channel
 * (a channel's weights are centred on zero, and the zero point 0 lets the int8 kernels skip a term).
 * uint8 activations with int8 weights is the pairing onnxruntime's x86 kernels (VNNI) are fastest on.
 */

export interface ActivationQuantization {
  scale: number;
  /** 0..255 */
  zeroPoint: number;
}

export interface Range {
  min: number;
  max: number;
}

/**
 * uint8 parameters covering `range`, widened to include 0 so that zero (padding, ReLU's floor) is
 * exactly representable, as ONNX requires for padded convs to be exact.
 */
export function activationQuantization(range: Range): ActivationQuantization {
  const min = Math.min(range.min, 0);
  const max = Math.max(range.max, 0);
  const scale = max > min ? (max - min) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  return { scale, zeroPoint };
}

export interface ChannelWeights {
  /** int8 values, same layout as the float weights. */
  values: Int8Array;
  /** One scale per output channel (axis `axis` of the weight). */
  scales: Float32Array;
}

/** Squared rounding error of `weights[start, end)` at `scale` (int8, symmetric, saturating). */
function roundingError(weights: Float32Array, start: number, end: number, scale: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) {
    const q = Math.max(-127, Math.min(127, Math.round(weights[i] / scale)));
    sum += (weights[i] - q * scale) ** 2;
  }
  return sum;
}

/**
 * Symmetric per-channel int8 of a weight whose channel axis is the first (Conv [out, in, kh, kw]) or the
 * second (ConvTranspose [in, out/group, kh, kw]). Each channel's scale is the one of max|w| / 127 x r,
 * r in (0.5, 1], with the least squared rounding error: a few large weights then saturate a little
 * instead of coarsening every other weight of the channel.
 */
export function quantizeWeightsPerChannel(weights: Float32Array, shape: readonly number[], axis: 0 | 1): ChannelWeights {
  if (axis !== 0) throw new Error('per-channel weights: only axis 0 is supported');
  const channels = shape[0];
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  const values = new Int8Array(weights.length);
  for (let c = 0; c < channels; c++) {
    const [start, end] = [c * inner, (c + 1) * inner];
    let peak = 0;
    for (let i = start; i < end; i++) peak = Math.max(peak, Math.abs(weights[i]));
    let best = peak > 0 ? peak / 127 : 1;
    if (peak > 0) {
      let bestError = roundingError(weights, start, end, best);
      for (let step = 1; step < 50; step++) {
        const scale = (peak * (1 - step / 100)) / 127;
        const error = roundingError(weights, start, end, scale);
        if (error < bestError) [best, bestError] = [scale, error];
      }
    }
    scales[c] = best;
    for (let i = start; i < end; i++) values[i] = Math.max(-127, Math.min(127, Math.round(weights[i] / best)));
  }
  return { values, scales };
}

/** A bias as int32 in units of input scale x weight scale (ONNX's rule for a quantized conv's bias). */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: Float32Array } {
  const scales = weightScales.map((s) => s * inputScale);
  const values = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) values[c] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(bias[c] / scales[c])));
  return { values, scales };
}
