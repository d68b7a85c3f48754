import { z } from 'zod';
import { EnhanceError } from '../errors.js';
import { RESIZE_METHODS } from '../resize/resizeImage.js';
import { FIT_MODES } from './outputSize.js';

/**
 * The options of an upscale, declared once: each field's rule, default and `.describe()` text, which is
 * also the help of its `enhance upscale` flag (the CLI builds its flags from these fields). The library's
 * `upscale()`, `upscaleInto`, the CLI and the web page's worker all take their defaults from here.
 * Shared with the page: nothing here may need Node.
 */

/** The factors of the shipped models and of `enhance eval`; `upscale` takes any factor up to MAX_SCALE. */
export const UPSCALE_FACTORS = [2, 3, 4, 8] as const;

/** The largest enlargement asked by factor (x16 is two passes of an x4 model). */
export const MAX_SCALE = 16;

/** The enlargement when neither `scale` nor a model says otherwise. */
export const DEFAULT_SCALE = 4;

export const PRECISIONS = ['fp32', 'int8'] as const;
export type Precision = (typeof PRECISIONS)[number];

export const ALPHA_MODES = ['model', 'bicubic'] as const;
export type AlphaMode = (typeof ALPHA_MODES)[number];

/** A whole number of at least `min`; every failed check says `rule`, so an error reads the same from the CLI and the library. */
function wholeNumber(min: number, rule = `must be a whole number >= ${min}`) {
  return z.number({ error: rule }).int({ error: rule }).min(min, { error: rule });
}

const SCALE_RULE = `must be a number from 1 to ${MAX_SCALE}`;

const TILE_RULE = "must be 'auto' or a whole number >= 16";

/** How one picture is cut into model runs and put back together. */
export const pictureOptionsSchema = z.object({
  tile: z
    .union([z.literal('auto'), wholeNumber(16, TILE_RULE)], { error: TILE_RULE })
    .default('auto')
    .describe('tile size in input pixels; auto: the largest that fits the memory budget'),
  tilePad: wholeNumber(0).optional().describe("context around each tile (default: the model's receptive field, at most 32)"),
  overlap: wholeNumber(0).default(8).describe('pixels neighbouring tiles blend across'),
  // Undefined is "from the machine": memoryBudget() reads it per picture (on the page: PAGE_MEMORY_BUDGET_MB).
  memoryBudget: wholeNumber(1).optional().describe('working memory for the tiles in MB, sizes auto tiles (default: half of the available memory)'),
  tta: z.boolean().default(false).describe('test-time augmentation: average the 8 flips/rotations (8x slower, slightly sharper)'),
  alpha: z.enum(ALPHA_MODES, { error: `must be one of ${ALPHA_MODES.join(', ')}` }).default('model').describe('how transparency is enlarged'),
});

/** Every option a user sets for an upscale: what enlarges the picture, and how it is tiled. */
export const upscaleOptionsSchema = z.object({
  scale: z
    .number({ error: SCALE_RULE })
    .min(1, { error: SCALE_RULE })
    .max(MAX_SCALE, { error: SCALE_RULE })
    .optional()
    .describe(
      `enlargement factor, any from 1 to ${MAX_SCALE} (default: the model's, or ${DEFAULT_SCALE}); the model runs as many times as it takes, then a MATLAB bicubic resize lands on the exact size`,
    ),
  width: wholeNumber(1).optional().describe('output width in pixels (the aspect is kept unless --height is given too)'),
  height: wholeNumber(1).optional().describe('output height in pixels (the aspect is kept unless --width is given too)'),
  fit: z
    .enum(FIT_MODES, { error: `must be one of ${FIT_MODES.join(', ')}` })
    .default('inside')
    .describe('with both width and height: inside keeps the whole picture within the box, cover fills the box and crops the overflow, centred'),
  model: z
    .string()
    .optional()
    .describe('a shipped model (see enhance models) or a model file: .safetensors, .pth, .onnx, ncnn .param, TF.js model.json'),
  method: z.enum(RESIZE_METHODS, { error: `must be one of ${RESIZE_METHODS.join(', ')}` }).optional().describe('classical interpolation instead of a model'),
  ...pictureOptionsSchema.shape,
  precision: z
    .enum(PRECISIONS, { error: `must be one of ${PRECISIONS.join(', ')}` })
    .default('fp32')
    .describe("int8: the model quantized on loading, calibrated on the package's samples (enhance quantize calibrates on your pictures and keeps the file)"),
  threads: wholeNumber(1).optional().describe('threads for the model (default: all cores)'),
});

/** Picture options as a caller gives them: any field may be left out. */
export type PictureOptionsInput = z.input<typeof pictureOptionsSchema>;
/** Picture options with the schema's defaults filled in. */
export type PictureSettings = z.output<typeof pictureOptionsSchema>;

/** A zod failure as one line naming the option, the rule and the value given (`upscale: option 'tile': ...`). */
export function optionError(error: z.ZodError, given: unknown): EnhanceError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') return new EnhanceError(`upscale: unknown option ${issue.keys.map((k) => `'${k}'`).join(', ')}`);
  if (issue.code === 'custom') return new EnhanceError(`upscale: ${issue.message}`);
  const key = issue.path.join('.') || '(options)';
  const value = issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], given);
  return new EnhanceError(`upscale: option '${key}': ${issue.message} (got ${JSON.stringify(value)})`);
}

/** The picture options with their defaults filled in; a bad value is one line naming the option. */
export function pictureSettings(options: PictureOptionsInput): PictureSettings {
  const parsed = pictureOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionError(parsed.error, options);
  return parsed.data;
}
