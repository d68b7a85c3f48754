import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT, EXIT_CANCELLED, exitCodeOf, isCancelledError, isEnhanceError } from '../errors.js';
import { removePendingTemporaries } from '../io/atomicWrite.js';
import { degradeCommand } from './commands/degradeCommand.js';
import { downscaleCommand } from './commands/downscaleCommand.js';
import { evalCommand } from './commands/evalCommand.js';
import { exportCommand } from './commands/exportCommand.js';
import { quantizeCommand } from './commands/quantizeCommand.js';
import { interpolateCommand } from './commands/interpolateCommand.js';
import { modelsCommand } from './commands/modelsCommand.js';
import { serveCommand } from './commands/serveCommand.js';
import { workerCommand } from './commands/workerCommand.js';
import { trainCommand } from './commands/trainCommand.js';
import { upscaleCommand } from './commands/upscaleCommand.js';
import { weightsCommand } from './commands/weightsCommand.js';
import { takeInterrupt } from './interrupt.js';


function buildProgram(): Command {
  const program = new Command('enhance')
    .description('Single-image super-resolution: upscale pictures, evaluate and train SR models')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Examples:
  enhance upscale photo.png -o photo_x4.png --scale 4 --method bicubic
  enhance downscale hr/ -o lr_x4/ --scale 4
  enhance eval --hr Set5/hr --scale 4 --json
  enhance train --config presets/compact-x4.yaml
  enhance models
  enhance export --model default -o compact-x4.onnx
  enhance quantize --model default -o compact-x4.int8.onnx
  enhance interpolate psnr.safetensors gan.safetensors --alpha 0.8 -o blend.safetensors

Run 'enhance <command> --help' for a command's options.`,
    );
  for (const command of [upscaleCommand(), downscaleCommand(), degradeCommand(), evalCommand(), trainCommand(), modelsCommand(), exportCommand(), quantizeCommand(), interpolateCommand(), weightsCommand(), serveCommand(), workerCommand()]) program.addCommand(command);
  // Usage errors become one line and exit code 2, like every other bad input.
  program.exitOverride();
  program.configureOutput({ outputError: () => {} });
  for (const command of program.commands) {
    command.exitOverride();
    command.configureOutput({ outputError: () => {} });
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`enhance eval --help | head`) closes the pipe: that ends the output, not in a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    removePendingTemporaries();
    process.exit(0);
  });
  process.on('SIGINT', () => {
    if (takeInterrupt()) return;
    removePendingTemporaries();
    process.stderr.write('\nenhance: interrupted; no partial output was left behind\n');
    process.exit(EXIT_CANCELLED);
  });
  try {
    await buildProgram().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0; // --help, --version
      process.stderr.write(`enhance: ${error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT_BAD_INPUT;
    }
    // The one place where failures become exit codes (see errors.ts): 2 bad input, 130 cancelled, 1 a bug.
    if (isEnhanceError(error)) process.stderr.write(`enhance: ${error.message}\n`);
    else if (isCancelledError(error)) process.stderr.write('\nenhance: interrupted; no partial output was left behind\n');
    else {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      process.stderr.write(`enhance: internal error: ${message} (a bug in enhance, not in your files; set ENHANCE_DEBUG=1 for details)\n`);
      if (process.env.ENHANCE_DEBUG) console.error(error);
    }
    return exitCodeOf(error);
  }
}
