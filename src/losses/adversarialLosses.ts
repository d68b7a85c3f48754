import { grad } from '../autodiff/grad.js';
import { relu, softplus } from '../graph/ops/activations.js';
import { add, mul, neg, sqrt, sub } from '../graph/ops/elementwise.js';
import { mean, reduceSum } from '../graph/ops/reduce.js';
import { formatShape } from '../graph/shape.js';
import type { Value } from '../graph/value.js';

// GAN objectives over a discriminator's raw logits (any shape: one per image, or one per pixel for a
// U-Net discriminator; expectations are means over all elements). A discriminator's loss is its term
// on real images plus its term on generated ones, as BasicSR sums them; a paper's 1/2 is a loss weight.
// -log(sigmoid(z)) = softplus(-z) and -log(1 - sigmoid(z)) = softplus(z): onnxruntime's Softplus stays
// finite and exact for logits of any size (tested), where log(sigmoid(z)) would give -inf.

/** Standard GAN (Goodfellow et al. 2014; SRGAN): binary cross-entropy with logits, real = 1, fake = 0. */
export function vanillaDiscriminatorLoss(real: Value, fake: Value): Value {
  return add(mean(softplus(neg(real))), mean(softplus(fake)));
}

/** The non-saturating generator loss -E[log D(G(x))]. */
export function vanillaGeneratorLoss(fake: Value): Value {
  return mean(softplus(neg(fake)));
}

/**
 * Relativistic average GAN (Jolicoeur-Martineau 2018), as in ESRGAN (Wang et al. 2018, eqs. 1-2):
 * D_ra(a, b) = sigmoid(C(a) - E[C(b)]);
 * L_D = -E_real[log D_ra(real, fake)] - E_fake[log(1 - D_ra(fake, real))].
 * ESRGAN's and BasicSR's code halve this sum (and the generator's): their weight 5e-3 is 2.5e-3 here.
 */
export function relativisticAverageDiscriminatorLoss(real: Value, fake: Value): Value {
  return add(mean(softplus(neg(sub(real, mean(fake))))), mean(softplus(sub(fake, mean(real)))));
}

/** L_G = -E_real[log(1 - D_ra(real, fake))] - E_fake[log D_ra(fake, real)]: the generator gains from real logits too. */
export function relativisticAverageGeneratorLoss(real: Value, fake: Value): Value {
  return add(mean(softplus(sub(real, mean(fake)))), mean(softplus(neg(sub(fake, mean(real))))));
}

/** Hinge loss (Lim & Ye 2017; SAGAN): E[max(0, 1 - D(y))] + E[max(0, 1 + D(G(x)))]. */
export function hingeDiscriminatorLoss(real: Value, fake: Value): Value {
  return add(mean(relu(sub(1, real))), mean(relu(add(1, fake))));
}

/** -E[D(G(x))], the generator's side of the hinge and Wasserstein losses. */
export function negatedMeanGeneratorLoss(fake: Value): Value {
  return neg(mean(fake));
}

/** Least-squares GAN (Mao et al. 2017) with labels real 1, fake 0: E[(D(y) - 1)^2] + E[D(G(x))^2]. */
export function leastSquaresDiscriminatorLoss(real: Value, fake: Value): Value {
  const miss = sub(real, 1);
  return add(mean(mul(miss, miss)), mean(mul(fake, fake)));
}

/** E[(D(G(x)) - 1)^2]. */
export function leastSquaresGeneratorLoss(fake: Value): Value {
  const miss = sub(fake, 1);
  return mean(mul(miss, miss));
}

/** The Wasserstein critic's loss without its penalty: E[D(G(x))] - E[D(y)]. */
export function wassersteinCriticLoss(real: Value, fake: Value): Value {
  return sub(mean(fake), mean(real));
}

/**
 * WGAN-GP's random points between real and generated images (Gulrajani et al. 2017):
 * x_hat = eps * y + (1 - eps) * G(x), with `epsilon` [N, 1, 1, 1] drawn from U[0, 1] per sample and fed
 * each step (the graph has no random numbers).
 */
export function interpolateSamples(real: Value, fake: Value, epsilon: Value): Value {
  return add(fake, mul(epsilon, sub(real, fake)));
}

/**
 * E[(||grad_x_hat D(x_hat)||_2 - 1)^2], the norm taken per sample over all its pixels. `scores` are the
 * critic's logits on `interpolates`; each sample's logits must depend on that sample only (no batch
 * norm in the critic), so the gradient of their sum is every sample's own gradient. The result is
 * differentiable again: the critic's weights get the penalty's gradient through it.
 */
export function gradientPenalty(interpolates: Value, scores: Value): Value {
  const [gradient] = grad(reduceSum(scores), [interpolates]);
  if (!gradient) throw new Error(`gradientPenalty: the scores ${formatShape(scores.shape)} do not depend on the interpolates`);
  const sampleAxes = [...Array(interpolates.rank).keys()].slice(1);
  const gap = sub(sqrt(reduceSum(mul(gradient, gradient), sampleAxes)), 1);
  return mean(mul(gap, gap));
}

/** WGAN-GP's critic loss E[D(G(x))] - E[D(y)] + lambda * penalty, lambda = 10 in the paper. */
export function wganGpCriticLoss(real: Value, fake: Value, penalty: Value, lambda = 10): Value {
  return add(wassersteinCriticLoss(real, fake), mul(penalty, lambda));
}

/** The two sides of one GAN objective, for a training loop that picks it by name. */
export interface AdversarialLoss {
  discriminator: (real: Value, fake: Value) => Value;
  /** `real` (logits on real images) is read only when `generatorNeedsReal`. */
  generator: (fake: Value, real?: Value) => Value;
  generatorNeedsReal: boolean;
  /** WGAN-GP: the weight of `gradientPenalty`, which the discriminator's step adds to its loss. */
  gradientPenaltyWeight?: number;
}

export const ADVERSARIAL_LOSSES = {
  vanilla: { discriminator: vanillaDiscriminatorLoss, generator: vanillaGeneratorLoss, generatorNeedsReal: false },
  ragan: {
    discriminator: relativisticAverageDiscriminatorLoss,
    generator: (fake: Value, real?: Value) => {
      if (!real) throw new Error('ragan: the generator loss needs the logits on real images');
      return relativisticAverageGeneratorLoss(real, fake);
    },
    generatorNeedsReal: true,
  },
  hinge: { discriminator: hingeDiscriminatorLoss, generator: negatedMeanGeneratorLoss, generatorNeedsReal: false },
  lsgan: { discriminator: leastSquaresDiscriminatorLoss, generator: leastSquaresGeneratorLoss, generatorNeedsReal: false },
  'wgan-gp': { discriminator: wassersteinCriticLoss, generator: negatedMeanGeneratorLoss, generatorNeedsReal: false, gradientPenaltyWeight: 10 },
} satisfies Record<string, AdversarialLoss>;

export type AdversarialLossName = keyof typeof ADVERSARIAL_LOSSES;
