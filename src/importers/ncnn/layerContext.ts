import type { Value } from '../../graph/value.js';
import type { NcnnLayer, NcnnParams } from './paramFile.js';
import type { NcnnWeightReader } from './weightFile.js';

/**
 * What converting one ncnn layer sees. Every blob is an image-like ncnn Mat (c, h, w), held as an
 * ONNX tensor [1, C, H, W]: ncnn axis a of a blob is ONNX axis a + 1.
 */
export interface LayerContext {
  readonly layer: NcnnLayer;
  readonly params: NcnnParams;
  readonly inputs: readonly Value[];
  /** The `.bin`, positioned at this layer's weights. */
  readonly weights: NcnnWeightReader;
  /** Throw an EnhanceError naming the `.param` file and this layer. */
  fail(problem: string): never;
}

/** Builds a layer's ONNX equivalent: one value per output blob. */
export type LayerConverter = (context: LayerContext) => Value[];

/** The ONNX axis of an ncnn axis of a (c, h, w) blob; negative axes count from the end as in ncnn. */
export function onnxAxis(context: LayerContext, ncnnAxis: number): number {
  const axis = ncnnAxis < 0 ? ncnnAxis + 3 : ncnnAxis;
  if (axis < 0 || axis > 2) context.fail(`axis ${ncnnAxis} is out of range for a (c, h, w) blob`);
  return axis + 1;
}

/** The channel count of a blob, which every layer with weights needs to know when the model is built. */
export function channelsOf(context: LayerContext, value: Value): number {
  const channels = value.shape[1];
  if (typeof channels !== 'number') context.fail(`the channel count of its input is not fixed (${String(channels)})`);
  return channels;
}

export function requireInputCount(context: LayerContext, count: number): void {
  if (context.inputs.length !== count) context.fail(`expects ${count} input blob${count === 1 ? '' : 's'}, has ${context.inputs.length}`);
}
