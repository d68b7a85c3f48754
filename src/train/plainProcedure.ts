import type { TrainingBatch } from '../data/batchSource.js';
import type { PatchSamplerState } from '../data/patchSampler.js';
import { weightedSum } from '../losses/structuralLosses.js';
import { buildNetwork, type ModelSpec } from '../architectures/registry.js';
import type { StateDict } from '../nn/buildContext.js';
import { ThreadedTrainer } from '../runtime/engineThread.js';
import type { StepResult } from '../runtime/trainer.js';
import { compileTrainingStep } from '../runtime/trainingStep.js';
import { saveCheckpoint, tensorsOf, weightsForModel } from './checkpoint.js';
import { optimizerOf, trainerSessionOptions } from './configParts.js';
import type { LossTerm } from './generatorLoss.js';
import { learningRateAt } from './learningRate.js';
import type { TrainConfig } from './trainConfig.js';
import { divergedError, type ProcedureStart, type TrainingProcedure } from './trainingProcedure.js';

/** One network trained on its content loss: each step is one onnxruntime run (forward, backward, update) in a worker thread. */
export class PlainProcedure implements TrainingProcedure {
  readonly batchesPerStep = 1;

  private constructor(
    private readonly config: TrainConfig,
    private readonly trainer: ThreadedTrainer,
    /** Parameter -> the optimizer slot holding its average. */
    private readonly ema: Record<string, string>,
  ) {}

  static async start(config: TrainConfig, spec: ModelSpec, terms: readonly LossTerm[], start: ProcedureStart): Promise<PlainProcedure> {
    const { batch, lr_patch: lrPatch } = config.data;
    const compiled = compileTrainingStep({
      build: (ctx) => {
        const lr = ctx.graph.input('lr', 'float32', [batch, 3, lrPatch, lrPatch]);
        const hr = ctx.graph.input('hr', 'float32', [batch, 3, lrPatch * config.scale, lrPatch * config.scale]);
        const sr = buildNetwork(spec, ctx, lr);
        const values = terms.map((t) => ({ name: t.name, weight: t.weight, value: t.build(sr, hr) }));
        // Each term is logged on its own when there are several.
        const metrics = values.length > 1 ? Object.fromEntries(values.map((t) => [t.name, t.value])) : undefined;
        return { data: [lr, hr], loss: weightedSum(values), metrics };
      },
      optimizer: optimizerOf(config.optimizer),
      state: start.generator.state,
      clipGradNorm: config.clip_grad_norm,
      ema: config.ema,
      seed: config.seed,
    });
    const trainer = await ThreadedTrainer.create(compiled, start.generator.state, {
      ...trainerSessionOptions(config),
      optimizerState: start.generator.optimizerState,
      stepsDone: start.stepsDone,
    });
    return new PlainProcedure(config, trainer, compiled.ema);
  }

  async step(batches: readonly TrainingBatch[], step: number): Promise<StepResult> {
    const result = await this.trainer.step(batches[0], learningRateAt(this.config, step));
    if (!Number.isFinite(result.loss)) throw divergedError(step + 1, 'the loss', result.loss, 'optimizer.lr', this.config.optimizer.lr);
    return result;
  }

  async modelWeights(): Promise<StateDict> {
    return weightsForModel(await this.trainer.stateDict(), await this.trainer.optimizerState(), this.ema);
  }

  async save(path: string, samplerState: PatchSamplerState, seconds: number): Promise<void> {
    await saveCheckpoint(path, { generator: await tensorsOf(this.trainer) }, { step: this.trainer.stepsDone, samplerState, seconds });
  }

  release(): Promise<void> {
    return this.trainer.release();
  }
}
