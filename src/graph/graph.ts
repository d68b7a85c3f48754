import type { Attributes, Node } from './node.js';
import type { OpDefinition } from './opDefinition.js';
import { formatShape, type Shape } from './shape.js';
import { float32Tensor, int64Tensor, type TensorData } from './tensorData.js';
import { Value, type DType } from './value.js';

/**
 * A computation under construction. Values are created by declaring inputs, constants and parameters,
 * and by applying ops (functions in `graph/ops/`), which append nodes in a valid execution order.
 */
export class Graph {
  readonly nodes: Node[] = [];
  /** Values fed at run time (data, labels, learning rate...). */
  readonly inputs: Value[] = [];
  /** Trainable tensors, in creation order; their initial contents are in `initialValues`. */
  readonly parameters: Value[] = [];
  /** Contents of constants and the initial contents of parameters. */
  readonly initialValues = new Map<Value, TensorData>();
  private readonly names = new Set<string>();
  private readonly scalarCache = new Map<string, Value>();
  private nextId = 0;

  private createValue(dtype: DType, shape: Shape, producer: Node | undefined, name?: string): Value {
    const id = this.nextId++;
    // Unnamed values are '_<id>'; a user name that collides is a mistake worth reporting.
    const unique = name ?? `_${id}`;
    if (this.names.has(unique)) throw new Error(`Graph: the name '${unique}' is used twice`);
    this.names.add(unique);
    return new Value(this, id, dtype, shape, producer, unique);
  }

  input(name: string, dtype: DType, shape: Shape): Value {
    const value = this.createValue(dtype, shape, undefined, name);
    this.inputs.push(value);
    return value;
  }

  constant(tensor: TensorData, name?: string): Value {
    const value = this.createValue(tensor.dtype, tensor.shape, undefined, name);
    this.initialValues.set(value, tensor);
    return value;
  }

  /** A trainable tensor with a state-dict style name (e.g. 'body.0.weight'). */
  parameter(name: string, initial: TensorData): Value {
    if (initial.dtype !== 'float32') throw new TypeError(`Graph.parameter: '${name}' must be float32`);
    const value = this.createValue('float32', initial.shape, undefined, name);
    this.initialValues.set(value, initial);
    this.parameters.push(value);
    return value;
  }

  /** A float32 scalar constant (shared: one per distinct value). */
  scalar(value: number): Value {
    const key = `f${Object.is(value, -0) ? '-0' : value}`;
    let cached = this.scalarCache.get(key);
    if (!cached) {
      cached = this.constant(float32Tensor([value], []));
      this.scalarCache.set(key, cached);
    }
    return cached;
  }

  /** A 1-D int64 constant, as shape-like inputs (Reshape, Slice, Pad...) need (shared per content). */
  int64s(values: readonly number[]): Value {
    const key = `i${values.join(',')}`;
    let cached = this.scalarCache.get(key);
    if (!cached) {
      cached = this.constant(int64Tensor(values));
      this.scalarCache.set(key, cached);
    }
    return cached;
  }

  isParameter(value: Value): boolean {
    return this.parameters.includes(value);
  }

  /** Append a node; `outputs` gives each output's dtype and shape, inferred by the op's builder. */
  addNode(
    op: OpDefinition,
    inputs: readonly (Value | undefined)[],
    attributes: Attributes,
    outputs: readonly { dtype: DType; shape: Shape }[],
    meta: Readonly<Record<string, unknown>> = {},
  ): Value[] {
    for (const input of inputs) {
      if (input && input.graph !== this) throw new Error(`${op.type}: input ${input.name} belongs to another graph`);
    }
    // Copy the inputs: a caller may keep changing the array it passed (e.g. a growing feature list).
    const node: Node & { outputs: Value[] } = { op, inputs: [...inputs], outputs: [], attributes, meta };
    node.outputs = outputs.map((o) => this.createValue(o.dtype, o.shape, node));
    this.nodes.push(node);
    return node.outputs;
  }
}

/** Check that all values come from one graph and return it. */
export function graphOf(op: string, ...values: (Value | undefined)[]): Graph {
  const graph = values.find((v) => v !== undefined)?.graph;
  if (!graph) throw new Error(`${op}: needs at least one input`);
  for (const v of values) if (v && v.graph !== graph) throw new Error(`${op}: inputs come from different graphs`);
  return graph;
}

export function requireFloat(op: string, ...values: Value[]): void {
  for (const v of values) if (v.dtype !== 'float32') throw new TypeError(`${op}: ${v.name} must be float32, is ${v.dtype}`);
}

export function requireRank(op: string, value: Value, rank: number, what = 'input'): void {
  if (value.rank !== rank) throw new RangeError(`${op}: ${what} must have rank ${rank}, got ${formatShape(value.shape)}`);
}
