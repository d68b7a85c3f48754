import type { Graph } from '../graph/graph.js';
import type { TensorData } from '../graph/tensorData.js';
import type { Value } from '../graph/value.js';
import type { Initializer } from './init.js';
import { Random } from './random.js';

/** Graph inputs of a frozen network's tensors are named `frozen.<state-dict name>`. */
export const FROZEN_PREFIX = 'frozen.';

/** Parameters and buffers of a network by state-dict name ('body.0.weight'); shared by every graph built from it. */
export type StateDict = Map<string, TensorData>;

/** The network needs a tensor the state dict lacks, and this context may not invent it. */
export class MissingWeight extends Error {
  constructor(readonly key: string) {
    super(`no tensor '${key}'`);
  }
}

/** A tensor of the state dict has another shape than the network needs. */
export class WeightShapeMismatch extends RangeError {
  constructor(
    readonly key: string,
    readonly stored: readonly number[],
    readonly needed: readonly number[],
  ) {
    super(`${key}: the stored tensor is [${stored.join(', ')}], the network needs [${needed.join(', ')}]`);
  }
}

/** A buffer (e.g. BatchNorm's running mean) whose new value a training step produces. */
export interface BufferUpdate {
  name: string;
  input: Value;
  output: Value;
}

/**
 * What a network needs while it builds itself into a graph: where its parameters live, whether it is
 * training (batch statistics) or evaluating, and its name prefix. Building the same network into a
 * training graph and an export graph gives both the same parameters, through the shared state dict.
 */
export class BuildContext {
  private constructor(
    readonly graph: Graph,
    readonly state: StateDict,
    readonly training: boolean,
    private readonly random: Random,
    private readonly prefix: string,
    readonly bufferUpdates: BufferUpdate[],
    /**
     * Whether a tensor missing from the state dict is created with the training initialiser. Only a
     * network about to be trained may be so completed: weights read from a file must be complete, or a
     * partly random network would run without a word.
     */
    private readonly initialise: boolean,
    /** Every state-dict name the network asked for, so a caller can find tensors it never used. */
    readonly used: Set<string>,
    /** Frozen networks: parameters are graph inputs (fed each run from elsewhere), collected here. */
    readonly frozenInputs?: Value[],
  ) {}

  /**
   * `initialise` (default true: a new network to train or to count) creates missing tensors; false
   * makes a missing tensor throw `MissingWeight`, as for weights read from a file.
   */
  static create(graph: Graph, state: StateDict, options: { training: boolean; seed?: number; initialise?: boolean }): BuildContext {
    return new BuildContext(graph, state, options.training, new Random(options.seed ?? 0), '', [], options.initialise ?? true, new Set());
  }

  /**
   * A network that is used but not trained by this graph (a GAN's discriminator in the generator's
   * step, and the other way round): its parameters and buffers are inputs named `frozen.<name>`, fed
   * each run with the other trainer's current tensors, and no gradient flows to them. Batch norm uses
   * batch statistics in training mode and never updates its running averages here.
   */
  static frozen(graph: Graph, state: StateDict, options: { training: boolean }): BuildContext {
    return new BuildContext(graph, state, options.training, new Random(0), '', [], true, new Set(), []);
  }

  /** A context whose names are prefixed with `name.` (a sub-module). */
  child(name: string | number): BuildContext {
    return new BuildContext(this.graph, this.state, this.training, this.random, this.qualify(String(name)), this.bufferUpdates, this.initialise, this.used, this.frozenInputs);
  }

  qualify(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  private stored(name: string, shape: readonly number[], fanIn: number, init: Initializer): TensorData {
    const qualified = this.qualify(name);
    this.used.add(qualified);
    let tensor = this.state.get(qualified);
    if (!tensor) {
      if (!this.initialise) throw new MissingWeight(qualified);
      const size = shape.reduce((a, b) => a * b, 1);
      tensor = { dtype: 'float32', shape: [...shape], data: init(size, fanIn, this.random) };
      this.state.set(qualified, tensor);
    } else if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new WeightShapeMismatch(qualified, tensor.shape, shape);
    }
    return tensor;
  }

  /** A trainable tensor, created with `init` the first time this name is seen. */
  parameter(name: string, shape: readonly number[], fanIn: number, init: Initializer): Value {
    const tensor = this.stored(name, shape, fanIn, init);
    if (this.frozenInputs) return this.frozenInput(name, tensor.shape);
    return this.graph.parameter(this.qualify(name), tensor);
  }

  private frozenInput(name: string, shape: readonly number[]): Value {
    const input = this.graph.input(`${FROZEN_PREFIX}${this.qualify(name)}`, 'float32', shape);
    this.frozenInputs!.push(input);
    return input;
  }

  /**
   * A non-trainable tensor the network updates itself (running statistics). In training it is fed and
   * its update is recorded; in evaluation it is a constant.
   */
  buffer(name: string, shape: readonly number[], init: Initializer): Value {
    const tensor = this.stored(name, shape, 1, init);
    const qualified = this.qualify(name);
    if (this.frozenInputs) return this.frozenInput(name, shape);
    return this.training ? this.graph.input(qualified, 'float32', shape) : this.graph.constant(tensor, qualified);
  }

  updateBuffer(buffer: Value, next: Value): void {
    if (this.frozenInputs) return; // a frozen network's statistics belong to its own trainer
    this.bufferUpdates.push({ name: buffer.name, input: buffer, output: next });
  }
}
