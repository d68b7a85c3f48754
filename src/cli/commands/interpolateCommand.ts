import { Command, InvalidArgumentError } from 'commander';
import { EnhanceError } from '../../errors.js';
import { interpolateModels } from '../../models/interpolateModels.js';
import { resolveModelPath, saveModel } from '../../models/modelFile.js';
import { readModelSource } from '../../models/modelSource.js';

function unitInterval(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return parsed;
}

export function interpolateCommand(): Command {
  return new Command('interpolate')
    .description('blend the weights of two models of the same architecture (ESRGAN network interpolation)')
    .argument('<a>', 'the first model (alpha 0), e.g. the PSNR-oriented one')
    .argument('<b>', 'the second model (alpha 1), e.g. the GAN-trained one')
    .requiredOption('--alpha <x>', 'weight of <b>, 0 to 1: parameters become (1 - alpha) * a + alpha * b', unitInterval)
    .requiredOption('-o, --output <file.safetensors>', 'the blended model')
    .addHelpText(
      'after',
      `
Example:
  enhance interpolate models/compact-x4.safetensors runs/gan/model.safetensors --alpha 0.8 -o blend.safetensors
  enhance upscale photo.png --model blend.safetensors`,
    )
    .action(async (a: string, b: string, options: { alpha: number; output: string }) => {
      if (!options.output.toLowerCase().endsWith('.safetensors')) throw new EnhanceError('the output of interpolate must be a .safetensors file', { file: options.output });
      const [pathA, pathB] = [resolveModelPath(a), resolveModelPath(b)];
      const [sourceA, sourceB] = await Promise.all([readModelSource(pathA), readModelSource(pathB)]);
      const { spec, state } = interpolateModels(sourceA, sourceB, options.alpha, [pathA, pathB]);
      await saveModel(options.output, spec, state, { 'interpolated.a': pathA, 'interpolated.b': pathB, 'interpolated.alpha': String(options.alpha) });
      process.stderr.write(`enhance: wrote ${options.output} = ${1 - options.alpha} x ${a} + ${options.alpha} x ${b}\n`);
    });
}
