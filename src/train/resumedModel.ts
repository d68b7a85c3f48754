import { readFile } from 'node:fs/promises';
import { EnhanceError } from '../errors.js';
import { architectureNamed } from '../architectures/registry.js';
import type { TrainConfig } from './trainConfig.js';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});

/** Options with the architecture's defaults filled in, so `{}` and the defaults spelled out compare equal. */
function normalisedOptions(arch: unknown, options: unknown): unknown {
  const architecture = typeof arch === 'string' ? architectureNamed(arch) : undefined;
  if (!architecture) return options;
  const parsed = architecture.options.safeParse(options ?? {});
  return parsed.success ? parsed.data : options;
}

/**
 * What fixes the shapes of a run's tensors, by config key: the scale, the generator's architecture
 * and options, and the discriminator's (GAN runs). Values as JSON text, so they compare by value.
 */
function networkKeys(config: unknown, withDiscriminator: boolean): Map<string, string> {
  const root = asObject(config);
  const model = asObject(root.model);
  const keys = new Map<string, string>([
    ['scale', JSON.stringify(root.scale)],
    ['model.arch', JSON.stringify(model.arch)],
  ]);
  for (const [key, value] of Object.entries(asObject(normalisedOptions(model.arch, model.options)))) keys.set(`model.options.${key}`, JSON.stringify(value));
  if (withDiscriminator) {
    const discriminator = asObject(asObject(root.gan).discriminator);
    keys.set('gan.discriminator.arch', JSON.stringify(discriminator.arch));
    for (const [key, value] of Object.entries(asObject(discriminator.options))) keys.set(`gan.discriminator.options.${key}`, JSON.stringify(value));
  }
  return keys;
}

/** "key before -> after" for each key whose value differs; options are not listed when the architecture itself changed. */
export function networkChanges(stored: unknown, wanted: TrainConfig): string[] {
  const withDiscriminator = wanted.gan !== undefined && asObject(stored).gan != null;
  const before = networkKeys(stored, withDiscriminator);
  const after = networkKeys(wanted, withDiscriminator);
  const archChanged = (prefix: string) => before.get(`${prefix}.arch`) !== after.get(`${prefix}.arch`);
  const changes: string[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const [was, now] = [before.get(key), after.get(key)];
    if (was === now) continue;
    if (key.startsWith('model.options.') && archChanged('model')) continue;
    if (key.startsWith('gan.discriminator.options.') && archChanged('gan.discriminator')) continue;
    changes.push(`${key} ${was ?? '(unset)'} -> ${now ?? '(unset)'}`);
  }
  return changes;
}

/**
 * Refuse to resume a run as another network: its checkpoint holds tensors shaped for the network it
 * was trained as (`config.json` in the run folder). Checked before anything is loaded or built, so the
 * user gets one line naming what changed instead of a tensor-shape error. A run folder without a
 * config.json has nothing to compare with; the checkpoint's shapes are still checked when it loads.
 */
export async function checkResumedNetwork(configPath: string, wanted: TrainConfig): Promise<void> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    return;
  }
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    throw new EnhanceError('is not valid JSON: cannot check that --resume continues the network the checkpoint holds', { file: configPath });
  }
  const changes = networkChanges(stored, wanted);
  if (changes.length > 0) {
    throw new EnhanceError(`--resume would change the network the checkpoint holds: ${changes.join(', ')} (keep the run's values, or train the new network with another --out)`, {
      file: configPath,
    });
  }
}
