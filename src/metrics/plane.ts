/** A single-channel image in float64, in the 0..255 units SR metrics are defined in. */
export interface Plane {
  readonly height: number;
  readonly width: number;
  readonly data: Float64Array;
}

export function cropPlaneBorder(plane: Plane, border: number): Plane {
  if (border === 0) return plane;
  const height = plane.height - 2 * border;
  const width = plane.width - 2 * border;
  if (height < 1 || width < 1) {
    throw new RangeError(`cropPlaneBorder: a border of ${border} leaves nothing of a ${plane.height}x${plane.width} image`);
  }
  const data = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const from = (y + border) * plane.width + border;
    data.set(plane.data.subarray(from, from + width), y * width);
  }
  return { height, width, data };
}

export function requireSameSize(a: Plane, b: Plane, metric: string): void {
  if (a.height !== b.height || a.width !== b.width) {
    throw new RangeError(`${metric}: images differ in size (${a.height}x${a.width} vs ${b.height}x${b.width})`);
  }
}
