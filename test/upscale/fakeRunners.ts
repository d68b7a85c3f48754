import type { TileRunner } from '../../src/upscale/tileRunner.js';

/** Nearest-neighbour enlargement written as a plain loop: a model whose receptive field is one pixel. */
export function nearestRunner(scale: number): TileRunner & { calls: number } {
  const runner = {
    scale,
    calls: 0,
    async run(rgb: Float32Array, height: number, width: number) {
      runner.calls++;
      const out = new Float32Array(3 * height * scale * width * scale);
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < height * scale; y++)
          for (let x = 0; x < width * scale; x++)
            out[(c * height * scale + y) * width * scale + x] = rgb[(c * height + Math.floor(y / scale)) * width + Math.floor(x / scale)];
      return out;
    },
  };
  return runner;
}

/** A 3x3 box blur (edge-replicated) then nearest enlargement: a receptive radius of one pixel. */
export function blurRunner(scale: number): TileRunner {
  const nearest = nearestRunner(scale);
  return {
    scale,
    async run(rgb, height, width) {
      const blurred = new Float32Array(rgb.length);
      const at = (c: number, y: number, x: number) => rgb[(c * height + Math.min(height - 1, Math.max(0, y))) * width + Math.min(width - 1, Math.max(0, x))];
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < height; y++)
          for (let x = 0; x < width; x++) {
            let sum = 0;
            for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(c, y + dy, x + dx);
            blurred[(c * height + y) * width + x] = sum / 9;
          }
      return nearest.run(blurred, height, width);
    },
  };
}

/** A runner that is not symmetric: it adds a horizontal ramp (so flips change its answer). */
export function rampRunner(scale: number): TileRunner {
  const nearest = nearestRunner(scale);
  return {
    scale,
    async run(rgb, height, width) {
      const out = await nearest.run(rgb, height, width);
      const w = width * scale;
      for (let i = 0; i < out.length; i++) out[i] = Math.min(1, out[i] + (0.1 * (i % w)) / w);
      return out;
    },
  };
}
