import cliProgress from 'cli-progress';
import type { TrainingEvent, TrainingLine } from '../train/trainingEvents.js';
import type { Validation } from '../train/validation.js';

/**
 * How `enhance train` shows a run: on a terminal a bar with the last loss, the last validation PSNR and
 * an ETA; on a log or pipe a plain line per training log line and per validation, which a script can
 * follow (`step 10/100`).
 */
export class TrainingProgress {
  private bar: cliProgress.SingleBar | undefined;
  private steps = 0;
  private lastPsnr: number | undefined;

  constructor(
    /** The run's name (its config's `name`), which starts every line. */
    private readonly name: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  readonly onEvent = (event: TrainingEvent): void => {
    switch (event.kind) {
      case 'repaired':
        this.stream.write(`${this.name}: ${event.what.join('; ')}\n`);
        return;
      case 'start':
        this.steps = event.steps;
        this.lastPsnr = event.psnrY;
        if (this.stream.isTTY) this.startBar(event.step);
        return;
      case 'step':
        this.bar?.update(event.step, { loss: event.loss.toFixed(5), psnr: this.psnrText() });
        return;
      case 'log':
        if (!this.bar) this.stream.write(this.trainingLine(event.line));
        return;
      case 'validation':
        this.lastPsnr = event.scores.psnrY;
        if (!this.bar) this.stream.write(this.validationLine(event.step, event.scores));
        return;
    }
  };

  /** Ends the bar (the cursor comes back); call it however the run ends. */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private startBar(stepsDone: number): void {
    this.bar = new cliProgress.SingleBar(
      { stream: this.stream, format: `${this.name} [{bar}] {value}/{total} | loss {loss} | PSNR {psnr} | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.steps, stepsDone, { loss: '-', psnr: this.psnrText() });
  }

  private psnrText(): string {
    return this.lastPsnr?.toFixed(2) ?? '-';
  }

  private trainingLine(line: TrainingLine): string {
    const d = line.terms?.d_loss;
    const discriminator = d !== undefined ? ` D ${d.toFixed(4)}` : '';
    const psnr = this.lastPsnr ? ` PSNR ${this.lastPsnr.toFixed(2)}` : '';
    return `${this.name} step ${line.step}/${this.steps} loss ${line.loss.toFixed(5)}${discriminator} lr ${line.lr.toExponential(2)}${psnr} (${line.seconds} s)\n`;
  }

  private validationLine(step: number, scores: Validation): string {
    const niqe = scores.niqe !== undefined ? ` NIQE ${scores.niqe.toFixed(3)}` : '';
    return `${this.name} step ${step} validation PSNR-Y ${scores.psnrY.toFixed(3)} SSIM-Y ${scores.ssimY.toFixed(4)}${niqe}\n`;
  }
}
