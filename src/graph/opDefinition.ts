import type { Node } from './node.js';
import type { Value } from './value.js';

/** What a gradient rule sees: the node, and the gradients flowing into its outputs. */
export interface GradientContext {
  readonly node: Node;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
  /** Gradient of the loss with respect to each output (undefined where no gradient flows). */
  readonly gradOutputs: readonly (Value | undefined)[];
  /** Which inputs need a gradient; a rule may skip the others (they are not on a path to `wrt`). */
  readonly needsGrad: readonly boolean[];
}

/**
 * An ONNX op as the engine knows it: its type and its gradient rule. The rule is written with ops that
 * have rules themselves, so gradients of gradients need nothing more. Ops without a rule (comparisons,
 * shape queries) are not differentiable; `grad` fails naming them if a gradient must pass through.
 */
export interface OpDefinition {
  readonly type: string;
  /** '' (the default ONNX domain) unless the op comes from an extension such as 'com.microsoft'. */
  readonly domain?: string;
  /** Gradients with respect to the inputs, one per input (undefined for none). */
  readonly gradient?: (context: GradientContext) => readonly (Value | undefined)[];
  /** True for ops whose output does not depend differentiably on any input (Shape, Greater, ...). */
  readonly constantOutput?: boolean;
}

export function defineOp(definition: OpDefinition): OpDefinition {
  return definition;
}
