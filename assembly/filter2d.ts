// 2-D correlation of one plane with a small kernel, compiled to WebAssembly (AssemblyScript, SIMD).
// The JavaScript side (src/degradation/filter2d.ts) pads the plane (mirrored borders) and passes byte
// offsets. Lanes hold sixteen neighbouring output pixels (four vectors), so each weight is loaded once per
// sixteen outputs; sums are float32, which is all a degradation needs.

/**
 * out[y, x] = sum over i, j of weights[i, j] * padded[y + i, x + j], for y < height, x < width, where
 * the kernel is kh x kw and padded is (height + kh - 1) x paddedWidth (at least width + kw - 1).
 */
export function correlate(padded: usize, paddedWidth: i32, height: i32, width: i32, weights: usize, kh: i32, kw: i32, out: usize): void {
  const rowBytes = <usize>paddedWidth << 2;
  for (let y = 0; y < height; y++) {
    const outRow = out + ((<usize>(y * width)) << 2);
    let x = 0;
    for (; x + 16 <= width; x += 16) {
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      for (let i = 0; i < kh; i++) {
        const row = padded + <usize>(y + i) * rowBytes + (<usize>x << 2);
        const w = weights + (<usize>(i * kw) << 2);
        for (let j = 0; j < kw; j++) {
          const weight = v128.load32_splat(w + (<usize>j << 2));
          const p = row + (<usize>j << 2);
          s0 = f32x4.add(s0, f32x4.mul(weight, v128.load(p)));
          s1 = f32x4.add(s1, f32x4.mul(weight, v128.load(p, 16)));
          s2 = f32x4.add(s2, f32x4.mul(weight, v128.load(p, 32)));
          s3 = f32x4.add(s3, f32x4.mul(weight, v128.load(p, 48)));
        }
      }
      const o = outRow + (<usize>x << 2);
      v128.store(o, s0);
      v128.store(o, s1, 16);
      v128.store(o, s2, 32);
      v128.store(o, s3, 48);
    }
    for (; x + 4 <= width; x += 4) {
      let s0 = f32x4.splat(0);
      for (let i = 0; i < kh; i++) {
        const row = padded + <usize>(y + i) * rowBytes + (<usize>x << 2);
        const w = weights + (<usize>(i * kw) << 2);
        for (let j = 0; j < kw; j++) s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(w + (<usize>j << 2)), v128.load(row + (<usize>j << 2))));
      }
      v128.store(outRow + (<usize>x << 2), s0);
    }
    for (; x < width; x++) {
      let sum: f32 = 0;
      for (let i = 0; i < kh; i++) {
        const row = padded + <usize>(y + i) * rowBytes + (<usize>x << 2);
        const w = weights + (<usize>(i * kw) << 2);
        for (let j = 0; j < kw; j++) sum += load<f32>(w + (<usize>j << 2)) * load<f32>(row + (<usize>j << 2));
      }
      store<f32>(outRow + (<usize>x << 2), sum);
    }
  }
}
