import { Command, Option } from 'commander';
import { EnhanceError } from '../../errors.js';
import { writeBufferAtomic } from '../../io/atomicWrite.js';
import { defaultModelFor, resolveModelPath } from '../../models/modelFile.js';
import { onnxOf, readModelSource } from '../../models/modelSource.js';
import { oneOfIntegers } from '../parseOptions.js';

export function exportCommand(): Command {
  return new Command('export')
    .description('write a model as a standalone ONNX file (dynamic batch, height and width) that any ONNX tool can run')
    .requiredOption('--model <name-or-file>', "a shipped model, 'default', or any model file enhance reads (.safetensors, .pth, .onnx, .param, model.json)")
    .requiredOption('-o, --output <file.onnx>', 'where to write the ONNX model')
    .addOption(new Option('-s, --scale <n>', "the default model's scale").argParser(oneOfIntegers([2, 4])).default(4))
    .addHelpText(
      'after',
      `
The ONNX model takes 'input' float32 [batch, 3, height, width], RGB in [0, 1], and gives 'output'
[batch, 3, height * scale, width * scale].

Examples:
  enhance export --model default -o compact-x4.onnx
  enhance export --model RealESRGAN_x4plus.pth -o realesrgan-x4plus.onnx`,
    )
    .action(async (options: { model: string; output: string; scale: number }) => {
      if (!options.output.toLowerCase().endsWith('.onnx')) throw new EnhanceError('the output of export must be a .onnx file', { file: options.output });
      const path = options.model === 'default' ? defaultModelFor(options.scale) : resolveModelPath(options.model);
      if (!path) throw new EnhanceError(`there is no shipped x${options.scale} model`);
      const source = await readModelSource(path);
      await writeBufferAtomic(options.output, onnxOf(source));
      process.stderr.write(`enhance: wrote ${options.output} (${source.description})\n`);
    });
}
