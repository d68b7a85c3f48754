/**
 * Something that enlarges one RGB tile: planar float32 [3, height, width] in [0, 1] in, planar
 * [3, height * scale, width * scale] in [0, 1] out. A model session, or a decorator around one
 * (self-ensemble).
 */
export interface TileRunner {
  readonly scale: number;
  run(rgb: Float32Array, height: number, width: number): Promise<Float32Array>;
}
