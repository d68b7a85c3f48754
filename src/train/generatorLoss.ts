import { EnhanceError } from '../errors.js';
import type { Value } from '../graph/value.js';
import { perceptualLoss, type PerceptualLoss } from '../losses/perceptualLoss.js';
import { charbonnierLoss, l1Loss, mseLoss } from '../losses/pixelLosses.js';
import { hfenLoss, ssimLoss } from '../losses/structuralLosses.js';
import { loadWeights, readWeights } from '../weights/weightsRegistry.js';
import type { TrainConfig } from './trainConfig.js';

const PIXEL_LOSSES = { l1: l1Loss, mse: mseLoss, charbonnier: charbonnierLoss, ssim: ssimLoss, hfen: hfenLoss } as const;

/** One named, weighted term of a generator's loss, ready to build: (SR, HR) -> scalar. */
export interface LossTerm {
  name: string;
  weight: number;
  build: (sr: Value, hr: Value) => Value;
}

/**
 * The config's loss terms, with the VGG weights of perceptual terms loaded (registered weights, a
 * file, or random:<seed>). Names are unique ('l1', 'perceptual', 'perceptual_2', ...) for the log.
 */
export async function contentLossTerms(config: TrainConfig, configFile?: string): Promise<LossTerm[]> {
  const terms: LossTerm[] = [];
  const name = (base: string) => (terms.some((t) => t.name === base) ? `${base}_${terms.filter((t) => t.name.startsWith(base)).length + 1}` : base);
  for (const term of config.loss) {
    if (term.type !== 'perceptual') {
      terms.push({ name: name(term.type), weight: term.weight, build: PIXEL_LOSSES[term.type] });
      continue;
    }
    const source = term.weights;
    let weights;
    try {
      weights =
        source === undefined
          ? await loadWeights(term.network, { widthDivisor: term.width_divisor })
          : (await readWeights(term.network, source, { widthDivisor: term.width_divisor })).state;
    } catch (error) {
      if (error instanceof EnhanceError && configFile && !error.file) throw new EnhanceError(`the perceptual loss: ${error.message}`, { file: configFile, cause: error });
      throw error;
    }
    const loss: PerceptualLoss = perceptualLoss(weights, { variant: term.network, layers: term.layers, criterion: term.criterion }, { file: source });
    terms.push({ name: name('perceptual'), weight: term.weight, build: loss });
  }
  return terms;
}
