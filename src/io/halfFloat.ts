/**
 * 16-bit floats as released weights store them (PyTorch and safetensors float16/bfloat16, ncnn and
 * TF.js float16), widened to float32. One place for the bit layouts, used by every reader.
 */

let halfTable: Float32Array | undefined;

/** IEEE 754 binary16 -> float32 for all 65536 bit patterns, built once: conversion is then one lookup. */
function halfToFloatTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
      const sign = bits & 0x8000 ? -1 : 1;
      const exponent = (bits >> 10) & 0x1f;
      const fraction = bits & 0x3ff;
      if (exponent === 0) halfTable[bits] = sign * fraction * 2 ** -24; // zero and subnormals
      else if (exponent === 31) halfTable[bits] = fraction ? NaN : sign * Infinity;
      else halfTable[bits] = sign * (1024 + fraction) * 2 ** (exponent - 25);
    }
  }
  return halfTable;
}

/** `count` little-endian float16 values starting at `bytes[0]` (any alignment). */
export function float16ToFloat32(bytes: Uint8Array, count: number): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = table[bytes[2 * i] | (bytes[2 * i + 1] << 8)];
  return out;
}

/** `count` little-endian bfloat16 values (the top half of a float32) starting at `bytes[0]`. */
export function bfloat16ToFloat32(bytes: Uint8Array, count: number): Float32Array {
  const bits = new Uint32Array(count);
  for (let i = 0; i < count; i++) bits[i] = ((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >>> 0;
  return new Float32Array(bits.buffer);
}
