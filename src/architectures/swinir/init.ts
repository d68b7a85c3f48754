import type { Initializer } from '../../nn/init.js';

/** timm's trunc_normal_(std) as Swin initialises its bias tables and linears: normal, redrawn outside 2 std. */
export const truncatedNormal = (std: number): Initializer => (size, _fanIn, random) =>
  Float32Array.from({ length: size }, () => {
    let v: number;
    do v = random.normal();
    while (Math.abs(v) > 2);
    return v * std;
  });
