import { Command, InvalidArgumentError, Option } from 'commander';
import { EnhanceError } from '../../errors.js';
import { writeBufferAtomic } from '../../io/atomicWrite.js';
import { defaultModelFor, resolveModelPath } from '../../models/modelFile.js';
import { DEFAULT_FIXED_EXPORT_SIZE } from '../../models/modelBytes.js';
import { onnxOf, readModelSource } from '../../models/modelSource.js';
import { oneOfIntegers } from '../parseOptions.js';

/** '256x192' as a height and a width. */
function parseSize(text: string): { height: number; width: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new InvalidArgumentError('expected HEIGHTxWIDTH, e.g. 256x256');
  return { height: Number(match[1]), width: Number(match[2]) };
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write a model as a standalone ONNX file (dynamic batch, height and width) that any ONNX tool can run')
    .requiredOption('--model <name-or-file>', "a shipped model, 'default', or any model file enhance reads (.safetensors, .pth, .onnx, .param, model.json)")
    .requiredOption('-o, --output <file.onnx>', 'where to write the ONNX model')
    .addOption(new Option('-s, --scale <n>', "the default model's scale").argParser(oneOfIntegers([2, 4])).default(4))
    .addOption(new Option('--size <HxW>', 'the input size of window-attention models (SwinIR), whose graph holds one size; a multiple of the window').argParser(parseSize))
    .addHelpText(
      'after',
      `
The ONNX model takes 'input' float32 [batch, 3, height, width], RGB in [0, 1], and gives 'output'
[batch, 3, height * scale, width * scale]. Window-attention models (SwinIR) are written for one input
size, [1, 3, H, W] (--size, default ${DEFAULT_FIXED_EXPORT_SIZE}x${DEFAULT_FIXED_EXPORT_SIZE}): pad or tile pictures to it (reflect-pad, as the model was trained).

Examples:
  enhance export --model default -o compact-x4.onnx
  enhance export --model RealESRGAN_x4plus.pth -o realesrgan-x4plus.onnx`,
    )
    .action(async (options: { model: string; output: string; scale: number; size?: { height: number; width: number } }) => {
      if (!options.output.toLowerCase().endsWith('.onnx')) throw new EnhanceError('the output of export must be a .onnx file', { file: options.output });
      const path = options.model === 'default' ? defaultModelFor(options.scale) : resolveModelPath(options.model);
      if (!path) throw new EnhanceError(`there is no shipped x${options.scale} model`);
      const source = await readModelSource(path);
      await writeBufferAtomic(options.output, onnxOf(source, options.size));
      process.stderr.write(`enhance: wrote ${options.output} (${source.description})\n`);
    });
}
