import { Command, Option } from 'commander';
import { RESIZE_METHODS, type ResizeMethod } from '../../resize/resizeImage.js';
import { upscale, UPSCALE_FACTORS } from '../../upscale/upscale.js';
import { planOutputs } from '../outputPlan.js';
import { oneOfIntegers } from '../parseOptions.js';
import { runBatch } from '../runBatch.js';

export function upscaleCommand(): Command {
  return new Command('upscale')
    .description('make pictures larger')
    .argument('<input...>', 'image files or folders (searched recursively)')
    .option('-o, --output <file-or-dir>', 'output file (one input) or folder; default: next to each input as <name>_x<scale>.<ext>')
    .addOption(new Option('-s, --scale <n>', 'enlargement factor (default: the model\'s, or 4)').argParser(oneOfIntegers(UPSCALE_FACTORS)))
    .option('--model <name-or-file>', 'a shipped model (see enhance models) or a model file; default: the shipped model for the scale')
    .addOption(new Option('-m, --method <name>', 'classical interpolation instead of a model').choices(RESIZE_METHODS).conflicts('model'))
    .addHelpText(
      'after',
      `
Examples:
  enhance upscale photo.png                       writes photo_x4.png with the default x4 model
  enhance upscale photo.jpg -o big.png --scale 2 --method lanczos
  enhance upscale photo.png --model runs/my-run/model.safetensors
  enhance upscale shots/ -o shots_x4/             a whole folder, sub-folders mirrored`,
    )
    .action(async (inputs: string[], options: { output?: string; scale?: 2 | 3 | 4 | 8; method?: ResizeMethod; model?: string }) => {
      const plan = await planOutputs(inputs, options.output, `_x${options.scale ?? 4}`);
      const failures = await runBatch('upscale', plan, ({ input, output }) =>
        upscale(input, { scale: options.scale, method: options.method, model: options.model }).toFile(output),
      );
      if (failures > 0) process.exitCode = 2;
    });
}
