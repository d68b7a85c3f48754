// MATLAB-exact separable resampling kernels, compiled to WebAssembly (AssemblyScript, SIMD).
// The JavaScript side (src/resize/resampleWasm.ts) lays out every buffer in linear memory and passes
// byte offsets. Sums are float64 in tap order, so results are bit-identical to MATLAB's imresize;
// SIMD lanes hold neighbouring output pixels, never parts of one sum, so the order is kept.

// How a finished sum is stored: rounded to an integer level in [0, max] (max > 0), then times `scale`;
// or, when max is 0, clamped to [0, 1] if clampUnit, else stored as is.
@inline
function finish(v: f64, max: f64, scale: f64, clampUnit: bool): f32 {
  if (max > 0) {
    let level = Math.floor(v + 0.5);
    level = level < 0 ? 0 : level > max ? max : level;
    return <f32>(level * scale);
  }
  if (clampUnit) return <f32>(v < 0 ? 0 : v > 1 ? 1 : v);
  return <f32>v;
}

/** In place: values in [0, 1] to integer levels 0..max (round half up). */
export function toLevels(ptr: usize, count: i32, max: f32): void {
  const m = f32x4.splat(max);
  const half = f32x4.splat(0.5);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const p = ptr + (<usize>i << 2);
    // pmin/pmax skip the NaN handling of min/max, which made this loop 4x slower (measured).
    const v = f32x4.pmin(f32x4.pmax(v128.load(p), zero), f32x4.splat(1));
    // For x >= 0, truncating x + 0.5 is floor(x + 0.5), MATLAB's rounding of positive values.
    v128.store(p, f32x4.convert_i32x4_s(i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(v, m), half))));
  }
  for (; i < count; i++) {
    const p = ptr + (<usize>i << 2);
    const v = Mathf.min(Mathf.max(load<f32>(p), 0), 1);
    store<f32>(p, Mathf.floor(v * max + 0.5));
  }
}

/**
 * Along the height: dst[y, x] = sum over k of weights[y, k] * src[indices[y, k], x].
 * `acc` is scratch space of width f64 values.
 */
export function resampleRows(
  src: usize, width: i32, outLength: i32, taps: i32, indices: usize, weights: usize,
  dst: usize, acc: usize, max: f64, scale: f64, clampUnit: bool,
): void {
  const rowBytes = <usize>width << 2;
  for (let y = 0; y < outLength; y++) {
    memory.fill(acc, 0, <usize>width << 3);
    const base = y * taps;
    let k = 0;
    // Four taps per sweep cut the accumulator traffic; acc + w0*s0 + w1*s1 + ... keeps the tap order.
    for (; k + 4 <= taps; k += 4) {
      const wb = weights + (<usize>(base + k) << 3);
      const ib = indices + (<usize>(base + k) << 2);
      const w0 = f64x2.splat(load<f64>(wb));
      const w1 = f64x2.splat(load<f64>(wb, 8));
      const w2 = f64x2.splat(load<f64>(wb, 16));
      const w3 = f64x2.splat(load<f64>(wb, 24));
      const r0 = src + <usize>load<i32>(ib) * rowBytes;
      const r1 = src + <usize>load<i32>(ib, 4) * rowBytes;
      const r2 = src + <usize>load<i32>(ib, 8) * rowBytes;
      const r3 = src + <usize>load<i32>(ib, 12) * rowBytes;
      let x = 0;
      for (; x + 2 <= width; x += 2) {
        const o = <usize>x << 2;
        const a = acc + (<usize>x << 3);
        let sum = f64x2.add(v128.load(a), f64x2.mul(w0, f64x2.promote_low_f32x4(v128.load64_zero(r0 + o))));
        sum = f64x2.add(sum, f64x2.mul(w1, f64x2.promote_low_f32x4(v128.load64_zero(r1 + o))));
        sum = f64x2.add(sum, f64x2.mul(w2, f64x2.promote_low_f32x4(v128.load64_zero(r2 + o))));
        sum = f64x2.add(sum, f64x2.mul(w3, f64x2.promote_low_f32x4(v128.load64_zero(r3 + o))));
        v128.store(a, sum);
      }
      for (; x < width; x++) {
        const a = acc + (<usize>x << 3);
        const o = <usize>x << 2;
        store<f64>(a, load<f64>(a) + f64x2.extract_lane(w0, 0) * <f64>load<f32>(r0 + o) + f64x2.extract_lane(w1, 0) * <f64>load<f32>(r1 + o)
          + f64x2.extract_lane(w2, 0) * <f64>load<f32>(r2 + o) + f64x2.extract_lane(w3, 0) * <f64>load<f32>(r3 + o));
      }
    }
    for (; k < taps; k++) {
      const w = load<f64>(weights + (<usize>(base + k) << 3));
      const r = src + <usize>load<i32>(indices + (<usize>(base + k) << 2)) * rowBytes;
      for (let x = 0; x < width; x++) {
        const a = acc + (<usize>x << 3);
        store<f64>(a, load<f64>(a) + w * <f64>load<f32>(r + (<usize>x << 2)));
      }
    }
    const out = dst + <usize>y * rowBytes;
    for (let x = 0; x < width; x++) {
      store<f32>(out + (<usize>x << 2), finish(load<f64>(acc + (<usize>x << 3)), max, scale, clampUnit));
    }
  }
}

/**
 * Along the width: dst[y, x] = sum over k of weights[x, k] * src[y, indices[x, k]].
 * Two rows go through at once, one per SIMD lane, each with its own sum in tap order.
 */
export function resampleColumns(
  src: usize, height: i32, inWidth: i32, outLength: i32, taps: i32, indices: usize, weights: usize,
  dst: usize, max: f64, scale: f64, clampUnit: bool,
): void {
  const inRowBytes = <usize>inWidth << 2;
  let y = 0;
  for (; y + 2 <= height; y += 2) {
    const row0 = src + <usize>y * inRowBytes;
    const row1 = row0 + inRowBytes;
    const out0 = dst + (<usize>(y * outLength) << 2);
    const out1 = out0 + (<usize>outLength << 2);
    for (let x = 0; x < outLength; x++) {
      const base = x * taps;
      let sum = f64x2.splat(0);
      for (let k = 0; k < taps; k++) {
        const at = <usize>load<i32>(indices + (<usize>(base + k) << 2)) << 2;
        const pair = f64x2.replace_lane(f64x2.splat(<f64>load<f32>(row0 + at)), 1, <f64>load<f32>(row1 + at));
        sum = f64x2.add(sum, f64x2.mul(f64x2.splat(load<f64>(weights + (<usize>(base + k) << 3))), pair));
      }
      store<f32>(out0 + (<usize>x << 2), finish(f64x2.extract_lane(sum, 0), max, scale, clampUnit));
      store<f32>(out1 + (<usize>x << 2), finish(f64x2.extract_lane(sum, 1), max, scale, clampUnit));
    }
  }
  for (; y < height; y++) {
    const row = src + <usize>y * inRowBytes;
    const out = dst + (<usize>(y * outLength) << 2);
    for (let x = 0; x < outLength; x++) {
      const base = x * taps;
      let sum: f64 = 0;
      for (let k = 0; k < taps; k++) {
        const at = <usize>load<i32>(indices + (<usize>(base + k) << 2)) << 2;
        sum += load<f64>(weights + (<usize>(base + k) << 3)) * <f64>load<f32>(row + at);
      }
      store<f32>(out + (<usize>x << 2), finish(sum, max, scale, clampUnit));
    }
  }
}
