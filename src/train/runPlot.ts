import type { TrainLogLine } from '../runs/runFolderFormat.js';
import type { TrainConfig } from './trainConfig.js';
import { renderCharts, renderTrainingPlot, type Chart, type Series } from './trainingPlot.js';

type Points = Series['points'];

function points(log: readonly TrainLogLine[], value: (line: TrainLogLine) => number | undefined): Points {
  return log.flatMap((line) => {
    const y = value(line);
    return y === undefined ? [] : [{ x: line.step, y }];
  });
}

/**
 * A run's plot.png, read off its log: the loss over the validation PSNR; for a GAN also what shows
 * whether the two networks are balanced (the discriminator's loss, or the critic's Wasserstein estimate,
 * and its mean outputs on real and generated pictures) and the validation NIQE.
 */
export async function renderRunPlot(log: readonly TrainLogLine[], gan: Pick<NonNullable<TrainConfig['gan']>, 'loss'> | undefined): Promise<Buffer> {
  const loss: Series = { label: gan ? 'generator loss (log scale)' : 'training loss (log scale)', color: '#c0392b', points: points(log, (l) => l.loss) };
  const psnr = points(log, (l) => l.val?.psnrY);
  if (!gan) return renderTrainingPlot(loss, psnr.length ? { label: 'validation PSNR-Y (dB)', color: '#2471a3', points: psnr } : undefined);
  const term = (name: string) => points(log, (l) => l.terms?.[name]);
  const wasserstein = gan.loss === 'wgan-gp';
  const charts: Chart[] = [
    { series: [loss], logScale: true },
    { series: [{ label: wasserstein ? "critic's Wasserstein estimate E[D(y)] - E[D(G(x))]" : 'discriminator loss', color: '#7d3c98', points: term(wasserstein ? 'd_wasserstein' : 'd_loss') }] },
    { series: [{ label: 'D(real)', color: '#1e8449', points: term('d_real') }, { label: 'D(fake) (mean logits)', color: '#ca6f1e', points: term('d_fake') }] },
    { series: [{ label: 'validation PSNR-Y (dB)', color: '#2471a3', points: psnr }] },
    { series: [{ label: 'validation NIQE (lower is more natural)', color: '#117a65', points: points(log, (l) => l.val?.niqe) }] },
  ];
  return renderCharts(charts);
}
