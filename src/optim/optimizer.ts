import type { Graph } from '../graph/graph.js';
import type { TensorData } from '../graph/tensorData.js';
import type { Value } from '../graph/value.js';

/** A tensor the optimizer carries from one step to the next (a momentum buffer, Adam's moments). */
export interface OptimizerSlot {
  /** Name for checkpoints, e.g. 'adam.m.body.0.weight'. */
  name: string;
  /** Fed at the start of a step. */
  input: Value;
  /** Its value after the step. */
  output: Value;
  /** Contents before the first step. */
  initial: TensorData;
}

export interface OptimizerStep {
  /** The updated value of each parameter, in the order given. */
  updated: Value[];
  slots: OptimizerSlot[];
}

/** Per-step scalars fed to the graph, so schedules live outside it. */
export interface StepInputs {
  /** Learning rate. */
  learningRate: Value;
  /** 1-based step count, as float32 (Adam's bias correction). */
  step: Value;
}

/**
 * An optimizer writes its update rule as graph nodes, so one training step (forward, backward and
 * update) is one onnxruntime run.
 */
export interface Optimizer {
  readonly name: string;
  build(graph: Graph, parameters: readonly Value[], gradients: readonly Value[], inputs: StepInputs): OptimizerStep;
}

export function zerosLikeParameter(parameter: Value): TensorData {
  const shape = parameter.shape as number[];
  return { dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
}
