import { Command, Option } from 'commander';
import { EnhanceError } from '../../errors.js';
import { writeBufferAtomic } from '../../io/atomicWrite.js';
import { defaultModelFor, resolveModelPath } from '../../models/modelFile.js';
import { DEFAULT_CALIBRATION_DIR, quantizeModelFile } from '../../quantize/quantizeModelFile.js';
import { positiveInteger } from '../parseOptions.js';

function share(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0.5 && parsed < 1)) throw new Error('must be a number between 0.5 and 1, e.g. 0.9999');
  return parsed;
}

export function quantizeCommand(): Command {
  return new Command('quantize')
    .description("write an int8 version of a model (QDQ ONNX) that runs on the CPU's integer units")
    .requiredOption('--model <name-or-file>', "a shipped model, 'default', or any model file enhance reads")
    .requiredOption('-o, --output <file.onnx>', 'where to write the int8 ONNX model')
    .option('--calibration <dir>', `pictures whose crops calibrate the activation ranges (default: ${DEFAULT_CALIBRATION_DIR})`)
    .addOption(new Option('--calibration-method <how>', 'range of each activation: extremes, or per-crop percentile bounds').choices(['minmax', 'percentile']).default('minmax'))
    .addOption(new Option('--percentile <share>', "share of values kept inside the range, for 'percentile'").argParser(share).default(0.9999))
    .addOption(new Option('--crops <n>', 'calibration crops in all').argParser(positiveInteger).default(32))
    .addOption(new Option('--crop-size <n>', 'side of each calibration crop').argParser(positiveInteger).default(96))
    .addHelpText(
      'after',
      `
Weights are int8, symmetric, one scale per output channel; activations uint8 with ranges measured on the
calibration crops. The first and last convs and everything after the upsampler stay float. The result is
a plain ONNX model: 'enhance upscale --model m.int8.onnx' or any ONNX runtime runs it.

Example:
  enhance quantize --model RealESRGAN_x4plus.pth --calibration photos/ -o realesrgan-x4plus.int8.onnx`,
    )
    .action(async (options: { model: string; output: string; calibration?: string; calibrationMethod: 'minmax' | 'percentile'; percentile: number; crops: number; cropSize: number }) => {
      if (!options.output.toLowerCase().endsWith('.onnx')) throw new EnhanceError('the output of quantize must be a .onnx file', { file: options.output });
      const path = options.model === 'default' ? defaultModelFor(4) : resolveModelPath(options.model);
      if (!path) throw new EnhanceError('there is no shipped x4 model');
      const { onnx, description } = await quantizeModelFile(path, {
        calibration: options.calibration,
        method: options.calibrationMethod,
        percentile: options.percentile,
        crops: options.crops,
        cropSize: options.cropSize,
        onCrop: process.stderr.isTTY ? (done, total) => process.stderr.write(`\renhance: calibrating ${done}/${total}`) : undefined,
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      await writeBufferAtomic(options.output, onnx);
      process.stderr.write(`enhance: wrote ${options.output} (${description})\n`);
    });
}
