import { grad } from '../autodiff/grad.js';
import { Graph } from '../graph/graph.js';
import { serializeModel } from '../graph/onnx/serializeModel.js';
import type { TensorData } from '../graph/tensorData.js';
import type { Value } from '../graph/value.js';
import { add, mul } from '../graph/ops/elementwise.js';
import { BuildContext, type StateDict } from '../nn/buildContext.js';
import { clipByGlobalNorm } from '../optim/clipGradients.js';
import type { Optimizer } from '../optim/optimizer.js';

/** What a training program builds: the data it is fed, the scalar loss, and any extra scalars to log. */
export interface TrainingGraph {
  data: Value[];
  loss: Value;
  metrics?: Record<string, Value>;
  /** Tensors the step also returns, by name (a GAN's generator step returns its pictures for the discriminator). */
  outputs?: Record<string, Value>;
  /** Inputs of frozen networks (`BuildContext.frozen`), fed each step with another trainer's tensors. */
  frozen?: Value[];
}

export interface TrainingStepSpec {
  /** Build the network and its loss into the context's graph (training mode). */
  build: (ctx: BuildContext) => TrainingGraph;
  optimizer: Optimizer;
  /** Current parameters and buffers; missing ones are initialised by the build and added to it. */
  state: StateDict;
  clipGradNorm?: number;
  /** Keep an exponential moving average of the weights with this decay (e.g. 0.999), updated every step. */
  ema?: number;
  seed?: number;
  /** Sees the finished graph (forward, backward and update) before it is serialized: benchmarks count its work. */
  inspect?: (graph: Graph) => void;
}

/** A training step compiled to one ONNX model: feed data, parameters, buffers and optimizer slots; get all of them back updated. */
export interface CompiledTrainingStep {
  model: Uint8Array;
  data: { name: string; shape: number[] }[];
  parameters: string[];
  buffers: string[];
  slots: { name: string; initial: TensorData }[];
  /** For each parameter with an average, the slot holding it ('ema.<name>'). */
  ema: Record<string, string>;
  metrics: string[];
  /** Extra outputs, returned as `output.<name>`. */
  outputs: string[];
  /** Frozen-network inputs, `frozen.<state-dict name>`. */
  frozen: string[];
  learningRate: string;
  step: string;
}

export const LOSS_OUTPUT = 'loss';
export const outputName = (name: string): string => `output.${name}`;
export const nextName = (name: string): string => `next.${name}`;

/**
 * Build forward, backward (grad) and optimizer update into one graph, so a whole step is one
 * onnxruntime run. Parameters travel as inputs and come back as outputs.
 */
export function compileTrainingStep(spec: TrainingStepSpec): CompiledTrainingStep {
  const graph = new Graph();
  const ctx = BuildContext.create(graph, spec.state, { training: true, seed: spec.seed });
  const built = spec.build(ctx);
  if (built.loss.shape.length !== 0) throw new RangeError(`training: the loss must be a scalar, got [${built.loss.shape.join(', ')}]`);
  const parameters = [...graph.parameters];
  const gradients = grad(built.loss, parameters).map((g, i) => {
    if (!g) throw new Error(`training: parameter ${parameters[i].name} does not affect the loss`);
    return g;
  });
  const clipped = spec.clipGradNorm ? clipByGlobalNorm(gradients, spec.clipGradNorm).clipped : gradients;
  const learningRate = graph.input('learning_rate', 'float32', []);
  const step = graph.input('step', 'float32', []);
  const update = spec.optimizer.build(graph, parameters, clipped, { learningRate, step });
  const ema: Record<string, string> = {};
  if (spec.ema !== undefined) {
    const decay = spec.ema;
    parameters.forEach((p, i) => {
      const average = graph.input(`ema.${p.name}`, 'float32', p.shape);
      const initial = graph.initialValues.get(p)!;
      update.slots.push({
        name: average.name,
        input: average,
        output: add(mul(average, decay), mul(update.updated[i], 1 - decay)),
        initial: { ...initial, data: initial.data.slice() },
      });
      ema[p.name] = average.name;
    });
  }

  spec.inspect?.(graph);
  const metrics = Object.entries(built.metrics ?? {});
  const outputs = Object.entries(built.outputs ?? {});
  const frozen = built.frozen ?? [];
  const model = serializeModel(graph, {
    inputs: [...built.data, ...frozen, ...parameters, ...ctx.bufferUpdates.map((b) => b.input), ...update.slots.map((s) => s.input), learningRate, step],
    outputs: [
      { name: LOSS_OUTPUT, value: built.loss },
      ...metrics.map(([name, value]) => ({ name: `metric.${name}`, value })),
      ...outputs.map(([name, value]) => ({ name: outputName(name), value })),
      ...parameters.map((p, i) => ({ name: nextName(p.name), value: update.updated[i] })),
      ...ctx.bufferUpdates.map((b) => ({ name: nextName(b.name), value: b.output })),
      ...update.slots.map((s) => ({ name: nextName(s.name), value: s.output })),
    ],
    graphName: 'training_step',
  });
  const staticShape = (v: Value) => {
    if (!v.shape.every((d) => typeof d === 'number')) throw new Error(`training: input ${v.name} needs a static shape, got [${v.shape.join(', ')}]`);
    return v.shape as number[];
  };
  return {
    model,
    data: built.data.map((v) => ({ name: v.name, shape: staticShape(v) })),
    parameters: parameters.map((p) => p.name),
    buffers: ctx.bufferUpdates.map((b) => b.name),
    slots: update.slots.map((s) => ({ name: s.name, initial: s.initial })),
    ema,
    metrics: metrics.map(([name]) => name),
    outputs: outputs.map(([name]) => name),
    frozen: frozen.map((v) => v.name),
    learningRate: learningRate.name,
    step: step.name,
  };
}
