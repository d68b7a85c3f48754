import type { TensorData } from '../graph/tensorData.js';
import type { StateDict } from '../nn/buildContext.js';
import { createSession, fromOrtTensor, ort, toOrtTensor, type SessionOptions } from './session.js';
import { FROZEN_PREFIX } from '../nn/buildContext.js';
import { LOSS_OUTPUT, nextName, outputName, type CompiledTrainingStep } from './trainingStep.js';

export interface StepResult {
  loss: number;
  metrics: Record<string, number>;
}

/**
 * Runs a compiled training step again and again, keeping parameters, buffers and optimizer slots as
 * onnxruntime tensors between steps (each step's outputs are the next step's inputs).
 */
export class Trainer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly compiled: CompiledTrainingStep,
    private readonly tensors: Map<string, ort.Tensor>,
    private steps: number,
  ) {}

  /** `optimizerState` and `stepsDone` restore a run from a checkpoint. */
  static async create(
    compiled: CompiledTrainingStep,
    state: StateDict,
    options: SessionOptions & { optimizerState?: ReadonlyMap<string, TensorData>; stepsDone?: number } = {},
  ): Promise<Trainer> {
    const session = await createSession(compiled.model, { optimization: 'extended', ...options });
    const tensors = new Map<string, ort.Tensor>();
    for (const name of [...compiled.parameters, ...compiled.buffers]) {
      const tensor = state.get(name);
      if (!tensor) throw new Error(`Trainer: no value for ${name}`);
      tensors.set(name, toOrtTensor(tensor));
    }
    for (const slot of compiled.slots) tensors.set(slot.name, toOrtTensor(options.optimizerState?.get(slot.name) ?? slot.initial));
    return new Trainer(session, compiled, tensors, options.stepsDone ?? 0);
  }

  get stepsDone(): number {
    return this.steps;
  }

  /** The last step's extra outputs (`TrainingGraph.outputs`), as onnxruntime tensors. */
  outputs = new Map<string, ort.Tensor>();

  /** Current parameters and buffers as onnxruntime tensors (to feed another graph that uses this network frozen). */
  tensorMap(): ReadonlyMap<string, ort.Tensor> {
    return this.tensors;
  }

  /**
   * One step. `data` may hold onnxruntime tensors (another session's outputs, fed without a copy);
   * `frozen` supplies a frozen network's tensors by state-dict name (another trainer's `tensorMap`).
   */
  async step(data: Readonly<Record<string, TensorData | ort.Tensor>>, learningRate: number, frozen?: ReadonlyMap<string, ort.Tensor>): Promise<StepResult> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of this.compiled.data) {
      const tensor = data[input.name];
      if (!tensor) throw new Error(`Trainer.step: missing data input '${input.name}'`);
      feeds[input.name] = 'dims' in tensor ? tensor : toOrtTensor(tensor);
    }
    for (const name of this.compiled.frozen) {
      const tensor = frozen?.get(name.slice(FROZEN_PREFIX.length));
      if (!tensor) throw new Error(`Trainer.step: no frozen tensor for '${name}'`);
      feeds[name] = tensor;
    }
    for (const [name, tensor] of this.tensors) feeds[name] = tensor;
    feeds[this.compiled.learningRate] = new ort.Tensor('float32', Float32Array.of(learningRate), []);
    feeds[this.compiled.step] = new ort.Tensor('float32', Float32Array.of(this.steps + 1), []);
    const results = await this.session.run(feeds);
    for (const name of this.tensors.keys()) this.tensors.set(name, results[nextName(name)]);
    this.outputs = new Map(this.compiled.outputs.map((name) => [name, results[outputName(name)]]));
    this.steps++;
    const metrics = Object.fromEntries(this.compiled.metrics.map((m) => [m, (results[`metric.${m}`].data as Float32Array)[0]]));
    return { loss: (results[LOSS_OUTPUT].data as Float32Array)[0], metrics };
  }

  /** Current parameters and buffers, by state-dict name. */
  stateDict(): StateDict {
    const names = [...this.compiled.parameters, ...this.compiled.buffers];
    return new Map(names.map((name) => [name, fromOrtTensor(this.tensors.get(name)!)]));
  }

  /** Current optimizer slots, for checkpoints. */
  optimizerState(): Map<string, TensorData> {
    return new Map(this.compiled.slots.map((s) => [s.name, fromOrtTensor(this.tensors.get(s.name)!)]));
  }

  /** Flush onnxruntime's profile (when the session was created with `profilePrefix`). */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
