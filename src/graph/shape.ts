/** A dimension: a number, or a name for a size known only when the graph runs (e.g. 'batch', 'height'). */
export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

export function staticSize(shape: Shape): number | undefined {
  return isStatic(shape) ? shape.reduce((a, b) => a * b, 1) : undefined;
}

/** Numpy/ONNX broadcasting of two shapes, or undefined when they cannot broadcast. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da === 1) out.push(db);
    else if (db === 1 || da === db) out.push(da);
    else if (typeof da === 'string' && typeof db === 'string') out.push(da); // assumed equal at run time
    else if (typeof da === 'string') out.push(db);
    else if (typeof db === 'string') out.push(da);
    else return undefined;
  }
  return out;
}

/** Normalise a possibly negative axis for a tensor of the given rank. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The size of one output dimension of a windowed op (conv, pool) along one axis. */
export function windowOutputDim(input: Dim, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): Dim {
  const span = dilation * (kernel - 1) + 1;
  if (typeof input === 'number') return Math.floor((input + padBegin + padEnd - span) / stride) + 1;
  if (stride === 1 && padBegin + padEnd === span - 1) return input;
  return `floor((${input}+${padBegin + padEnd}-${span})/${stride})+1`;
}

/** A dimension multiplied by an integer factor (symbolic dims get a derived name). */
export function scaleDim(d: Dim, factor: number): Dim {
  if (factor === 1) return d;
  return typeof d === 'number' ? d * factor : `${d}*${factor}`;
}

/** A dimension divided by an integer factor; a static one must divide exactly. */
export function divideDim(d: Dim, factor: number, op: string): Dim {
  if (factor === 1) return d;
  if (typeof d === 'number') {
    if (d % factor !== 0) throw new RangeError(`${op}: dimension ${d} is not divisible by ${factor}`);
    return d / factor;
  }
  return `${d}/${factor}`;
}
