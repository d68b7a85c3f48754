import { describe, expect, it } from 'vitest';
import { upscaleCommand, UPSCALE_OPTION_FLAGS } from '../../src/cli/commands/upscaleCommand.js';
import { upscale } from '../../src/upscale/upscale.js';
import { pictureOptionsSchema, pictureSettings, upscaleOptionsSchema } from '../../src/upscale/upscaleOptions.js';
import { randomImage } from '../helpers.js';

type FieldName = keyof typeof upscaleOptionsSchema.shape;
const fields = Object.keys(upscaleOptionsSchema.shape) as FieldName[];

/** A field's default as the schema gives it for a missing value (undefined when it has none). */
function schemaDefault(name: FieldName): unknown {
  return upscaleOptionsSchema.shape[name].parse(undefined);
}

describe('the upscale options contract', () => {
  it('gives every user option of the schema a flag of enhance upscale, and every flag a field', () => {
    expect(Object.keys(UPSCALE_OPTION_FLAGS).sort()).toEqual([...fields].sort());
  });

  it("takes each flag's help text and default from its schema field", () => {
    const command = upscaleCommand();
    for (const name of fields) {
      const option = command.options.find((o) => o.flags === UPSCALE_OPTION_FLAGS[name]);
      expect(option, name).toBeDefined();
      expect(option!.description, name).toBe(upscaleOptionsSchema.shape[name].description);
      expect(option!.defaultValue, name).toStrictEqual(schemaDefault(name));
    }
  });

  it('describes every field, so no flag is without help', () => {
    for (const name of fields) expect(upscaleOptionsSchema.shape[name].description, name).toMatch(/\w/);
  });

  it("fills the picture options a caller leaves out, or sets to undefined, with the schema's defaults", () => {
    const defaults = pictureOptionsSchema.parse({});
    expect(defaults).toEqual({ tile: 'auto', overlap: 8, tta: false, alpha: 'model' });
    expect(pictureSettings({ tile: undefined, overlap: undefined })).toEqual(defaults);
    expect(pictureSettings({ tile: 64 })).toEqual({ ...defaults, tile: 64 });
  });

  it('leaves the memory budget and the tile context undefined: the machine and the model decide them', () => {
    expect(pictureSettings({}).memoryBudget).toBeUndefined();
    expect(pictureSettings({}).tilePad).toBeUndefined();
  });

  it('refuses a bad value in one line naming the option, its rule and the value', () => {
    const picture = randomImage(3, 8, 8);
    expect(() => upscale(picture, { tile: 7 } as never)).toThrow("upscale: option 'tile': must be 'auto' or a whole number >= 16 (got 7)");
    expect(() => upscale(picture, { memoryBudget: 0 })).toThrow("upscale: option 'memoryBudget': must be a whole number >= 1 (got 0)");
    expect(() => upscale(picture, { alpha: 'mean' } as never)).toThrow("upscale: option 'alpha': must be one of model, bicubic (got \"mean\")");
    expect(() => pictureSettings({ overlap: -1 })).toThrow("upscale: option 'overlap': must be a whole number >= 0 (got -1)");
  });
});
