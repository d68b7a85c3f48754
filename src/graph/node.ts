import type { OpDefinition } from './opDefinition.js';
import type { Value } from './value.js';

/** An attribute value as ONNX stores it. */
export type AttributeValue = number | string | readonly number[] | readonly string[] | { readonly float: number };

export type Attributes = Readonly<Record<string, AttributeValue>>;

/** One application of an op: its inputs (an absent optional input is undefined), outputs and attributes. */
export interface Node {
  readonly op: OpDefinition;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
  readonly attributes: Attributes;
  /** Facts the gradient rule needs that ONNX keeps in inputs (e.g. ReduceSum's axes); never serialized. */
  readonly meta: Readonly<Record<string, unknown>>;
}
