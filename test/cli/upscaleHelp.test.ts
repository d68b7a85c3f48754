import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPSCALE_OPTION_FLAGS } from '../../src/cli/commands/upscaleCommand.js';
import { writeImage } from '../../src/image/writeImage.js';
import { upscaleOptionsSchema } from '../../src/upscale/upscaleOptions.js';
import { randomImage, runCli, temporaryDirectory } from '../helpers.js';

type FieldName = keyof typeof UPSCALE_OPTION_FLAGS;

describe('enhance upscale --help and its flags, from the options schema', async () => {
  const help = await runCli(['upscale', '--help']);
  // Commander wraps the help to the terminal: compare with the whitespace collapsed.
  const text = help.stdout.replace(/\s+/g, ' ');

  it("shows each option's description and default exactly as the schema declares them", () => {
    expect(help.code).toBe(0);
    for (const [name, flags] of Object.entries(UPSCALE_OPTION_FLAGS) as [FieldName, string][]) {
      const field = upscaleOptionsSchema.shape[name];
      const entry = text.slice(text.indexOf(`${flags} `));
      expect(entry, name).toContain(`${flags} ${field.description}`);
      const fallback = field.parse(undefined);
      const nextFlag = entry.slice(flags.length).search(/ (-\w, )?--[a-z]/);
      if (fallback !== undefined) expect(entry.slice(0, flags.length + nextFlag), name).toContain(`default: ${JSON.stringify(fallback)})`);
    }
  });

  it('refuses a bad value in one line naming the flag and the rule of its schema field', async () => {
    const dir = await temporaryDirectory();
    await writeImage(join(dir, 'in.png'), randomImage(3, 4, 4));
    const tile = await runCli(['upscale', join(dir, 'in.png'), '-o', join(dir, 'out.png'), '--tile', '7']);
    expect(tile).toMatchObject({ code: 2, stdout: '' });
    expect(tile.stderr).toBe("enhance: option '--tile <auto|n>' argument '7' is invalid. must be 'auto' or a whole number >= 16\n");
    const memory = await runCli(['upscale', join(dir, 'in.png'), '-o', join(dir, 'out.png'), '--memory', '1.5']);
    expect(memory.stderr).toBe("enhance: option '--memory <MB>' argument '1.5' is invalid. must be a whole number >= 1\n");
  });
});
