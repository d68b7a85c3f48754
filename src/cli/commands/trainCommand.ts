import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { readTrainConfig } from '../../train/trainConfig.js';
import { runTraining } from '../../train/trainRun.js';
import { onInterrupt } from '../interrupt.js';
import { TrainingProgress } from '../trainingProgress.js';

export function trainCommand(): Command {
  return new Command('train')
    .description('train an SR network from a config (see presets/)')
    .requiredOption('-c, --config <file>', 'training config, YAML or JSON')
    .option('--out <dir>', 'run folder for checkpoints, log, plot, samples and the model (default runs/<config name>)')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--set <key=value...>', "override config values, e.g. --set steps=200 data.batch=4 'data.train=[photos]'")
    .addHelpText(
      'after',
      `
Examples:
  enhance train --config presets/compact-x4.yaml                 runs/compact-x4/model.safetensors at the end
  enhance train --config presets/compact-x4.yaml --resume        after Ctrl-C or a crash
Ctrl-C finishes the current step and writes a checkpoint; Ctrl-C twice stops at once.`,
    )
    .action(async (options: { config: string; out?: string; resume?: boolean; set?: string[] }) => {
      const config = await readTrainConfig(options.config, options.set ?? []);
      const outDir = options.out ?? join('runs', basename(options.config, extname(options.config)));
      const controller = new AbortController();
      onInterrupt(() => {
        process.stderr.write('\nenhance: stopping after this step and writing a checkpoint (Ctrl-C again to stop at once)\n');
        controller.abort();
      });
      const progress = new TrainingProgress(config.name);
      const result = await runTraining(config, { outDir, resume: options.resume ?? false, signal: controller.signal, onEvent: progress.onEvent }).finally(() => progress.stop());
      const validation = result.lastValidation ? `, validation PSNR-Y ${result.lastValidation.psnrY.toFixed(2)} dB` : '';
      process.stdout.write(
        result.interrupted
          ? `stopped at step ${result.steps}; resume with: enhance train --config ${options.config} --out ${outDir} --resume\n`
          : `trained ${result.steps} steps${validation}; model: ${result.modelPath}\n`,
      );
    });
}
