import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import YAML from 'yaml';
import { grayscalePlane } from '../../color/grayscale.js';
import { degradationSettingsSchema, type DegradationSettings } from '../../degradation/degradationSettings.js';
import { degradeSecondOrder } from '../../degradation/secondOrderDegradation.js';
import { describeZodError, EnhanceError } from '../../errors.js';
import { readImage } from '../../image/readImage.js';
import { modCrop, selectChannels } from '../../image/tensor.js';
import { writeImage } from '../../image/writeImage.js';
import { planOutputs } from '../outputPlan.js';
import { oneOfIntegers } from '../parseOptions.js';
import { runBatch } from '../runBatch.js';

function seedNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) throw new InvalidArgumentError('must be an integer from 0 to 4294967295');
  return parsed;
}

/** Degradation settings from a YAML or JSON file: the whole file, or its `degradation:` key (a training config). */
async function readDegradationSettings(file: string | undefined): Promise<DegradationSettings> {
  if (!file) return degradationSettingsSchema.parse({});
  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new EnhanceError(`cannot read degradation settings: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { file });
  }
  const section = raw && typeof raw === 'object' && 'degradation' in raw ? (raw as { degradation: unknown }).degradation : raw;
  const parsed = degradationSettingsSchema.safeParse(section ?? {});
  if (!parsed.success) throw new EnhanceError(`bad degradation settings: ${describeZodError(parsed.error, section)}`, { file });
  return parsed.data;
}

export function degradeCommand(): Command {
  return new Command('degrade')
    .description("make real-world low-resolution pictures with Real-ESRGAN's second-order degradation (blur, resize, noise, JPEG, twice)")
    .argument('<input...>', 'image files or folders (searched recursively)')
    .option('-o, --output <file-or-dir>', 'output file (one input) or folder; default: next to each input as <name>_degraded_x<scale>.<ext>')
    .addOption(new Option('-s, --scale <n>', 'reduction factor').argParser(oneOfIntegers([1, 2, 3, 4, 8])).default(4))
    .option('--seed <n>', 'seed of the first picture; the k-th picture (in name order) uses seed + k, so a set is rebuilt exactly', seedNumber, 0)
    .option('--config <file>', "degradation settings (YAML/JSON, or a training config's 'degradation:' key); default: Real-ESRGAN's")
    .addHelpText(
      'after',
      `
Examples:
  enhance degrade hr/ -o lr_real_x4/ --scale 4 --seed 1    a real-world validation set
  enhance degrade photo.png -o photo_seen_by_model.png      what a photo model is trained to undo`,
    )
    .action(async (inputs: string[], options: { output?: string; scale: number; seed: number; config?: string }) => {
      const settings = await readDegradationSettings(options.config);
      const plan = await planOutputs(inputs, options.output, `_degraded_x${options.scale}`);
      const seedOf = new Map(plan.map((item, index) => [item, (options.seed + index) >>> 0]));
      const failures = await runBatch('degrade', plan, undefined, async (item) => {
        const { image } = await readImage(item.input);
        // The pipeline works on RGB: gray is spread to three channels and its result written as gray
        // (luma) again, so it pairs with its HR; alpha is left out.
        const gray = image.channels < 3;
        const rgb = gray ? selectChannels(image, [0, 0, 0]) : selectChannels(image, [0, 1, 2]);
        const lr = await degradeSecondOrder(modCrop(rgb, options.scale), options.scale, settings, seedOf.get(item)!);
        await writeImage(item.output, gray ? { channels: 1, height: lr.height, width: lr.width, data: grayscalePlane(lr) } : lr);
      });
      if (failures > 0) process.exitCode = 2;
    });
}
