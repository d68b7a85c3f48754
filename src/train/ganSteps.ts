import { stopGradient } from '../graph/ops/elementwise.js';
import { mean } from '../graph/ops/reduce.js';
import { concat, slice } from '../graph/ops/shape.js';
import { sub } from '../graph/ops/elementwise.js';
import type { Graph } from '../graph/graph.js';
import type { Value } from '../graph/value.js';
import { ADVERSARIAL_LOSSES, gradientPenalty, interpolateSamples } from '../losses/adversarialLosses.js';
import { weightedSum } from '../losses/structuralLosses.js';
import { buildNetwork, type ModelSpec } from '../architectures/registry.js';
import { BuildContext, type StateDict } from '../nn/buildContext.js';
import { unetDiscriminator } from '../nn/networks/unetDiscriminator.js';
import { vggDiscriminator } from '../nn/networks/vggDiscriminator.js';
import type { Optimizer } from '../optim/optimizer.js';
import { compileTrainingStep, type CompiledTrainingStep } from '../runtime/trainingStep.js';
import type { LossTerm } from './generatorLoss.js';
import type { TrainConfig } from './trainConfig.js';

type GanConfig = NonNullable<TrainConfig['gan']>;

/** The discriminator a config names, built on `x` ([N, 3, H, W] in [0, 1]); logits per image or per pixel. */
export function discriminator(gan: GanConfig, ctx: BuildContext, x: Value): Value {
  const options = gan.discriminator.options as Record<string, never>;
  return gan.discriminator.arch === 'vgg' ? vggDiscriminator(ctx, x, options) : unetDiscriminator(ctx, x, options);
}

/** Rows [from, to) of a batch-first tensor. */
const rows = (x: Value, from: number, to: number) => slice(x, [from], [to], [0]);

export interface GanSteps {
  generator: CompiledTrainingStep;
  discriminator: CompiledTrainingStep;
  /** WGAN-GP: the discriminator step takes 'epsilon' [batch, 1, 1, 1] from U[0, 1] as data. */
  needsEpsilon: boolean;
}

/**
 * The two training steps of a GAN, each one onnxruntime run:
 * - generator: content terms + weight x adversarial term, the discriminator frozen (fed from its trainer);
 * - discriminator: the generator frozen (evaluation mode, no gradient) makes SR pictures from the same
 *   LR batch, the discriminator learns real HR from them (WGAN-GP adds the gradient penalty on random
 *   interpolates).
 * The discriminator runs once per graph on the batch of real and generated pictures stacked, so shared
 * weights appear once (its batch norm, if any, sees both halves together).
 */
export function compileGanSteps(
  config: TrainConfig,
  spec: ModelSpec,
  states: { generator: StateDict; discriminator: StateDict },
  terms: readonly LossTerm[],
  optimizers: { generator: Optimizer; discriminator: Optimizer },
  inspect?: { generator?: (graph: Graph) => void; discriminator?: (graph: Graph) => void },
): GanSteps {
  const gan = config.gan!;
  const adversarial = ADVERSARIAL_LOSSES[gan.loss];
  const batch = config.data.batch;
  const lrShape = [batch, 3, config.data.lr_patch, config.data.lr_patch];
  const hrShape = [batch, 3, config.data.lr_patch * config.scale, config.data.lr_patch * config.scale];
  const needsEpsilon = gan.loss === 'wgan-gp';

  const generator = compileTrainingStep({
    build: (ctx) => {
      const lr = ctx.graph.input('lr', 'float32', lrShape);
      const hr = ctx.graph.input('hr', 'float32', hrShape);
      const sr = buildNetwork(spec, ctx, lr);
      const frozen = BuildContext.frozen(ctx.graph, states.discriminator, { training: true });
      const judged = adversarial.generatorNeedsReal ? discriminator(gan, frozen, concat([hr, sr], 0)) : discriminator(gan, frozen, sr);
      const fake = adversarial.generatorNeedsReal ? rows(judged, batch, 2 * batch) : judged;
      const real = adversarial.generatorNeedsReal ? stopGradient(rows(judged, 0, batch)) : undefined;
      const content = terms.map((t) => ({ name: t.name, weight: t.weight, value: t.build(sr, hr) }));
      const adversarialTerm = adversarial.generator(fake, real);
      const metrics: Record<string, Value> = Object.fromEntries(content.map((t) => [`g_${t.name}`, t.value]));
      metrics.g_adversarial = adversarialTerm;
      return {
        data: [lr, hr],
        loss: weightedSum([...content, { weight: gan.weight, value: adversarialTerm }]),
        metrics,
        frozen: frozen.frozenInputs,
      };
    },
    optimizer: optimizers.generator,
    state: states.generator,
    inspect: inspect?.generator,
    clipGradNorm: config.clip_grad_norm,
    ema: config.ema,
    seed: config.seed,
  });

  const discriminatorStep = compileTrainingStep({
    build: (ctx) => {
      const lr = ctx.graph.input('lr', 'float32', lrShape);
      const hr = ctx.graph.input('hr', 'float32', hrShape);
      const frozen = BuildContext.frozen(ctx.graph, states.generator, { training: false });
      const sr = stopGradient(buildNetwork(spec, frozen, lr));
      const epsilon = needsEpsilon ? ctx.graph.input('epsilon', 'float32', [batch, 1, 1, 1]) : undefined;
      const interpolates = epsilon ? interpolateSamples(hr, sr, epsilon) : undefined;
      const judged = discriminator(gan, ctx, concat(interpolates ? [hr, sr, interpolates] : [hr, sr], 0));
      const real = rows(judged, 0, batch);
      const fake = rows(judged, batch, 2 * batch);
      const metrics: Record<string, Value> = { d_real: mean(real), d_fake: mean(fake) };
      let loss = adversarial.discriminator(real, fake);
      if (interpolates) {
        const penalty = gradientPenalty(interpolates, rows(judged, 2 * batch, 3 * batch));
        metrics.d_gradient_penalty = penalty;
        metrics.d_wasserstein = sub(mean(real), mean(fake));
        loss = weightedSum([{ weight: 1, value: loss }, { weight: gan.gp_weight, value: penalty }]);
      }
      return { data: epsilon ? [lr, hr, epsilon] : [lr, hr], loss, metrics, frozen: frozen.frozenInputs };
    },
    optimizer: optimizers.discriminator,
    state: states.discriminator,
    inspect: inspect?.discriminator,
    seed: config.seed + 1,
  });
  return { generator, discriminator: discriminatorStep, needsEpsilon };
}
