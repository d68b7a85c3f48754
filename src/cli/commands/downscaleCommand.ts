import { Command, Option } from 'commander';
import { bicubicDownsample } from '../../degradation/bicubicDownsample.js';
import { readImage } from '../../image/readImage.js';
import { writeImage } from '../../image/writeImage.js';
import { planOutputs } from '../outputPlan.js';
import { oneOfIntegers } from '../parseOptions.js';
import { runBatch } from '../runBatch.js';

export function downscaleCommand(): Command {
  return new Command('downscale')
    .description('make low-resolution images with the MATLAB bicubic kernel (how SR training and test data are made)')
    .argument('<input...>', 'image files or folders (searched recursively)')
    .option('-o, --output <file-or-dir>', 'output file (one input) or folder; default: next to each input as <name>_lr_x<scale>.<ext>')
    .addOption(new Option('-s, --scale <n>', 'reduction factor').argParser(oneOfIntegers([2, 3, 4, 8])).default(4))
    .option('--no-modcrop', 'keep the whole image (output ceil(size/scale)) instead of first cropping to a multiple of the scale')
    .addHelpText(
      'after',
      `
Examples:
  enhance downscale hr/ -o lr_x4/ --scale 4      LR images for training or evaluation
  enhance downscale photo.png -o small.png --scale 2`,
    )
    .action(async (inputs: string[], options: { output?: string; scale: number; modcrop: boolean }) => {
      const plan = await planOutputs(inputs, options.output, `_lr_x${options.scale}`);
      const failures = await runBatch('downscale', plan, undefined, async ({ input, output }) => {
        const { image, bitDepth } = await readImage(input);
        const lr = bicubicDownsample(image, options.scale, { bitDepth, modCrop: options.modcrop });
        await writeImage(output, lr, { bitDepth });
      });
      if (failures > 0) process.exitCode = 2;
    });
}
