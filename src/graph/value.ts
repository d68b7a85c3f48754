import type { Graph } from './graph.js';
import type { Node } from './node.js';
import { formatShape, type Shape } from './shape.js';

export type DType = 'float32' | 'int64' | 'bool';

/**
 * A tensor-valued result in a graph: a graph input, a constant, a parameter, or a node's output.
 * It knows its dtype and shape at build time, so ops can check their arguments where the user wrote them.
 */
export class Value {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly dtype: DType,
    readonly shape: Shape,
    /** The node that computes it; undefined for inputs, constants and parameters. */
    readonly producer: Node | undefined,
    /** Its name in the ONNX file (unique in the graph). */
    readonly name: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name}: ${this.dtype}${formatShape(this.shape)}`;
  }
}
