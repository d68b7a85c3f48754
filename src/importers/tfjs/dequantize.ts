import { float16ToFloat32 } from '../../io/halfFloat.js';
import type { Quantization } from './modelJson.js';

/** Bytes each stored value takes: float32 as is, or the quantized code. */
export function storedValueBytes(quantization: Quantization | undefined): number {
  if (!quantization) return 4;
  return quantization.dtype === 'uint8' ? 1 : 2;
}

/**
 * The float32 values of one stored weight, as tfjs-core's `decodeWeights` reads them: float32
 * little-endian as is; uint8/uint16 codes as `code * scale + min` (computed in double, stored as
 * float32); float16 widened. `bytes` holds exactly `count` stored values.
 */
export function dequantize(bytes: Uint8Array, count: number, quantization: Quantization | undefined): Float32Array {
  // A copy has its own aligned buffer; typed arrays read it in the host's order, little-endian as the files.
  if (!quantization) return new Float32Array(new Uint8Array(bytes).buffer, 0, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (quantization.dtype === 'float16') return float16ToFloat32(bytes, count);
  const { scale, min } = quantization;
  const code = quantization.dtype === 'uint8' ? (i: number) => bytes[i] : (i: number) => view.getUint16(2 * i, true);
  return Float32Array.from({ length: count }, (_, i) => code(i) * scale + min);
}
