import type { TrainingBatch } from '../data/batchSource.js';
import type { PatchSamplerState } from '../data/patchSampler.js';
import type { TensorData } from '../graph/tensorData.js';
import type { ModelSpec } from '../architectures/registry.js';
import type { StateDict } from '../nn/buildContext.js';
import { Random } from '../nn/random.js';
import { EngineThread, ThreadedTrainer } from '../runtime/engineThread.js';
import type { StepResult } from '../runtime/trainer.js';
import { saveCheckpoint, tensorsOf, weightsForModel } from './checkpoint.js';
import { optimizerOf, trainerSessionOptions } from './configParts.js';
import { compileGanSteps } from './ganSteps.js';
import type { LossTerm } from './generatorLoss.js';
import { learningRateAt } from './learningRate.js';
import type { TrainConfig } from './trainConfig.js';
import { divergedError, type ProcedureStart, type TrainingProcedure } from './trainingProcedure.js';

type GanConfig = NonNullable<TrainConfig['gan']>;

/**
 * A generator trained against a discriminator (SRGAN, ESRGAN, Real-ESRGAN, WGAN-GP). One step is
 * `critic_steps` discriminator steps, each on its own batch, then one generator step on the last batch;
 * during the first `pretrain_steps` only the discriminator learns.
 */
export class GanProcedure implements TrainingProcedure {
  readonly batchesPerStep: number;

  private constructor(
    private readonly config: TrainConfig,
    private readonly gan: GanConfig,
    private readonly thread: EngineThread,
    private readonly generator: ThreadedTrainer,
    private readonly discriminator: ThreadedTrainer,
    /** Generator parameter -> the optimizer slot holding its average. */
    private readonly ema: Record<string, string>,
    /** WGAN-GP: each discriminator step takes the interpolation weights of its gradient penalty. */
    private readonly needsEpsilon: boolean,
  ) {
    this.batchesPerStep = gan.critic_steps;
  }

  static async start(config: TrainConfig, spec: ModelSpec, terms: readonly LossTerm[], start: ProcedureStart): Promise<GanProcedure> {
    const gan = config.gan!;
    const steps = compileGanSteps(config, spec, { generator: start.generator.state, discriminator: start.discriminator.state }, terms, {
      generator: optimizerOf(config.optimizer),
      discriminator: optimizerOf(gan.optimizer),
    });
    // Generator and discriminator share a worker thread: each step feeds the other's current tensors without copies.
    const thread = new EngineThread();
    try {
      const options = { ...trainerSessionOptions(config), thread };
      const generator = await ThreadedTrainer.create(steps.generator, start.generator.state, {
        ...options,
        optimizerState: start.generator.optimizerState,
        stepsDone: start.stepsDone,
        name: 'generator',
      });
      // The discriminator takes critic_steps steps per generator step: its own count drives its Adam bias correction.
      const discriminator = await ThreadedTrainer.create(steps.discriminator, start.discriminator.state, {
        ...options,
        optimizerState: start.discriminator.optimizerState,
        stepsDone: start.stepsDone * gan.critic_steps,
        name: 'discriminator',
      });
      return new GanProcedure(config, gan, thread, generator, discriminator, steps.generator.ema, steps.needsEpsilon);
    } catch (error) {
      await thread.terminate();
      throw error;
    }
  }

  async step(batches: readonly TrainingBatch[], step: number): Promise<StepResult> {
    const critic = await this.trainDiscriminator(batches, step);
    // While the discriminator pretrains the generator waits (a zero learning rate): its step count still
    // advances, so schedules and checkpoints stay aligned.
    const learningRate = step < this.gan.pretrain_steps ? 0 : learningRateAt(this.config, step);
    const result = await this.generator.step(batches[batches.length - 1], learningRate, this.discriminator);
    if (!Number.isFinite(result.loss)) throw divergedError(step + 1, 'the loss', result.loss, 'optimizer.lr', this.config.optimizer.lr);
    if (!Number.isFinite(critic.loss)) throw divergedError(step + 1, "the discriminator's loss", critic.loss, 'gan.optimizer.lr', this.gan.optimizer.lr);
    return { loss: result.loss, metrics: { ...critic.metrics, d_loss: critic.loss, ...result.metrics } };
  }

  /** One discriminator step per batch; their mean loss and statistics. */
  private async trainDiscriminator(batches: readonly TrainingBatch[], step: number): Promise<StepResult> {
    const learningRate = learningRateAt({ ...this.gan, steps: this.config.steps }, step);
    const metrics: Record<string, number> = {};
    let loss = 0;
    for (const [k, batch] of batches.entries()) {
      const data: Record<string, TensorData> = this.needsEpsilon ? { ...batch, epsilon: this.epsilon(step, k) } : { ...batch };
      const result = await this.discriminator.step(data, learningRate, this.generator);
      loss += result.loss / batches.length;
      for (const [name, value] of Object.entries(result.metrics)) metrics[name] = (metrics[name] ?? 0) + value / batches.length;
    }
    return { loss, metrics };
  }

  /** WGAN-GP's interpolation weights, drawn from the step number so a resumed run draws what an uninterrupted one would. */
  private epsilon(step: number, criticStep: number): TensorData {
    const { batch } = this.config.data;
    const random = new Random(this.config.seed * 1_000_003 + step * 64 + criticStep);
    return { dtype: 'float32', shape: [batch, 1, 1, 1], data: Float32Array.from({ length: batch }, () => random.uniform(0, 1)) };
  }

  async modelWeights(): Promise<StateDict> {
    return weightsForModel(await this.generator.stateDict(), await this.generator.optimizerState(), this.ema);
  }

  async save(path: string, samplerState: PatchSamplerState, seconds: number): Promise<void> {
    const networks = { generator: await tensorsOf(this.generator), discriminator: await tensorsOf(this.discriminator) };
    await saveCheckpoint(path, networks, { step: this.generator.stepsDone, samplerState, seconds });
  }

  release(): Promise<void> {
    return this.thread.terminate();
  }
}
