import onnxProto from 'onnx-proto';
import type { ImageTensor } from '../image/tensor.js';
import { createSession, ort } from '../runtime/session.js';
import type { Range } from './quantParams.js';

export type CalibrationMethod = 'minmax' | 'percentile';

export interface CalibrationOptions {
  method: CalibrationMethod;
  /** For 'percentile': the share of each tensor's values kept inside the range, e.g. 0.9999. */
  percentile: number;
  threads?: number;
  onCrop?: (done: number, total: number) => void;
}

/** `model` with `tensors` added as outputs, so one run returns them all. */
function observing(model: onnxProto.onnx.IModelProto, tensors: readonly string[]): Uint8Array {
  const outputs = new Set((model.graph!.output ?? []).map((o) => o.name!));
  const extra = tensors.filter((t) => !outputs.has(t)).map((name) => ({ name, type: { tensorType: { elemType: onnxProto.onnx.TensorProto.DataType.FLOAT } } }));
  return onnxProto.onnx.ModelProto.encode({ ...model, graph: { ...model.graph!, output: [...(model.graph!.output ?? []), ...extra] } }).finish();
}

/** The k-th smallest value of `values` (k from 0), by quickselect on a copy. */
export function kthSmallest(values: Float32Array, k: number): number {
  const a = Float32Array.from(values);
  let [lo, hi] = [0, a.length - 1];
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let [i, j] = [lo, hi];
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        [a[i], a[j]] = [a[j], a[i]];
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** The range of one run's tensor: its extremes, or the percentile bounds. */
function rangeOf(values: Float32Array, options: CalibrationOptions): Range {
  if (options.method === 'minmax') {
    let [min, max] = [Infinity, -Infinity];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    return { min, max };
  }
  const outside = Math.floor(values.length * (1 - options.percentile));
  return { min: kthSmallest(values, outside), max: kthSmallest(values, values.length - 1 - outside) };
}

/**
 * The range each tensor takes when the float model runs on `crops`: 'minmax' is the extremes over all
 * crops; 'percentile' averages each crop's percentile bounds (rare outliers then saturate instead of
 * stretching the scale for every other value). Deterministic: same model and crops, same ranges.
 */
export async function activationRanges(model: onnxProto.onnx.IModelProto, tensors: readonly string[], crops: readonly ImageTensor[], options: CalibrationOptions): Promise<Map<string, Range>> {
  const session = await createSession(observing(model, tensors), { threads: options.threads, optimization: 'basic' });
  const inputName = session.inputNames[0];
  const sums = new Map<string, Range>(tensors.map((t) => [t, options.method === 'minmax' ? { min: Infinity, max: -Infinity } : { min: 0, max: 0 }]));
  try {
    for (const [index, crop] of crops.entries()) {
      const feeds = { [inputName]: new ort.Tensor('float32', crop.data, [1, 3, crop.height, crop.width]) };
      const results = await session.run(feeds, [...tensors]);
      for (const tensor of tensors) {
        const range = rangeOf(results[tensor].data as Float32Array, options);
        const sum = sums.get(tensor)!;
        if (options.method === 'minmax') sums.set(tensor, { min: Math.min(sum.min, range.min), max: Math.max(sum.max, range.max) });
        else sums.set(tensor, { min: sum.min + range.min, max: sum.max + range.max });
      }
      for (const value of Object.values(results)) value.dispose?.();
      options.onCrop?.(index + 1, crops.length);
    }
  } finally {
    await session.release();
  }
  if (options.method === 'minmax') return sums;
  return new Map([...sums].map(([t, r]) => [t, { min: r.min / crops.length, max: r.max / crops.length }]));
}
