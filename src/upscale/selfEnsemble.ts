import type { TileRunner } from './tileRunner.js';

/** One of the 8 symmetries of a square: flips of the source, then an optional transpose. */
interface Symmetry {
  flipX: boolean;
  flipY: boolean;
  transpose: boolean;
}

const SYMMETRIES: Symmetry[] = [false, true].flatMap((transpose) =>
  [false, true].flatMap((flipY) => [false, true].map((flipX) => ({ flipX, flipY, transpose }))),
);

/**
 * Move planar [channels, height, width] pixels through a symmetry (`inverse` false: source -> view)
 * or back (`inverse` true: view -> source, where height/width are the source's).
 */
function applySymmetry(data: Float32Array, channels: number, height: number, width: number, s: Symmetry, inverse: boolean): Float32Array {
  const out = new Float32Array(data.length);
  const size = height * width;
  const viewWidth = s.transpose ? height : width;
  for (let c = 0; c < channels; c++) {
    const base = c * size;
    for (let y = 0; y < height; y++) {
      const sy = s.flipY ? height - 1 - y : y;
      for (let x = 0; x < width; x++) {
        const sx = s.flipX ? width - 1 - x : x;
        const view = s.transpose ? sx * viewWidth + sy : sy * viewWidth + sx;
        const source = y * width + x;
        if (inverse) out[base + source] = data[base + view];
        else out[base + view] = data[base + source];
      }
    }
  }
  return out;
}

/**
 * Test-time augmentation ("self-ensemble", EDSR / RCAN): run the model on the 8 flips and rotations of
 * a tile, undo each on the output and average. About +0.05-0.1 dB PSNR for 8x the time.
 */
export function selfEnsemble(runner: TileRunner): TileRunner {
  return {
    scale: runner.scale,
    async run(rgb, height, width) {
      const outHeight = height * runner.scale;
      const outWidth = width * runner.scale;
      const sum = new Float32Array(3 * outHeight * outWidth);
      for (const s of SYMMETRIES) {
        const view = applySymmetry(rgb, 3, height, width, s, false);
        const [h, w] = s.transpose ? [width, height] : [height, width];
        const output = applySymmetry(await runner.run(view, h, w), 3, outHeight, outWidth, s, true);
        for (let i = 0; i < sum.length; i++) sum[i] += output[i];
      }
      for (let i = 0; i < sum.length; i++) sum[i] /= SYMMETRIES.length;
      return sum;
    },
  };
}

