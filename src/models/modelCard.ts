import { readFile } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { z } from 'zod';
import { confinedFile } from '../io/fileChecks.js';
import { readModelSource, type ModelSource } from './modelSource.js';

/** What a model is, for people: from the weights, and from what the file or its name says about itself. */
export interface ModelCard {
  file: string;
  kind: 'network' | 'onnx';
  /** 'SwinIR, small, 4 groups of 6 blocks, ...' or 'ONNX model ...'. */
  architecture: string;
  arch?: string;
  scale?: number;
  options?: Record<string, number | string>;
  parameters?: number;
  name?: string;
  author?: string;
  licence?: string;
  /** Where the name, author and licence came from: 'OpenModelDB metadata x.json', 'safetensors metadata', 'file name'. */
  source?: string;
}

/** OpenModelDB's per-model JSON (data/models/<id>.json), the fields a card shows; the rest is ignored. */
const openModelDbEntry = z.object({
  name: z.string().max(200).optional(),
  author: z.union([z.string().max(200), z.array(z.string().max(200)).max(20)]).optional(),
  license: z.string().max(100).nullable().optional(),
});

/** At most this much JSON is read beside a model (OpenModelDB entries are a few KB). */
const MAX_METADATA_BYTES = 256 * 1024;

/** Licence names a file name may carry ('4x-Foo-CC-BY-NC-SA-4.0.pth'), longest first. */
const LICENCE_IN_NAME = /(?:^|[^A-Za-z0-9])(CC-BY-NC-SA-4\.0|CC-BY-NC-4\.0|CC-BY-SA-4\.0|CC-BY-4\.0|CC0-1\.0|CC0|Apache-2\.0|MIT|GPL-3\.0|AGPL-3\.0|WTFPL|Unlicense)(?![A-Za-z0-9])/i;

/** The OpenModelDB JSON beside the file (`<file>.json` or `<stem>.json`), confined to the model's folder and bounded. */
async function openModelDbMetadata(path: string): Promise<Pick<ModelCard, 'name' | 'author' | 'licence' | 'source'> | undefined> {
  const stem = basename(path, extname(path));
  for (const candidate of [`${basename(path)}.json`, `${stem}.json`]) {
    let found;
    try {
      found = await confinedFile(dirname(path), candidate, path, { kind: 'metadata file', maxBytes: MAX_METADATA_BYTES });
    } catch {
      continue; // missing, outside the folder or too large: no card from it
    }
    let parsed;
    try {
      parsed = openModelDbEntry.safeParse(JSON.parse(await readFile(found.path, 'utf8')));
    } catch {
      continue;
    }
    if (!parsed.success) continue;
    const { name, author, license } = parsed.data;
    return { name, author: Array.isArray(author) ? author.join(', ') : author, licence: license ?? undefined, source: `OpenModelDB metadata ${candidate}` };
  }
  return undefined;
}

function fromSafetensorsMetadata(metadata: Record<string, string> | undefined): Pick<ModelCard, 'name' | 'author' | 'licence' | 'source'> | undefined {
  if (!metadata) return undefined;
  const pick = (...keys: string[]) => keys.map((k) => metadata[k]).find((v) => typeof v === 'string' && v.length > 0 && v.length <= 200);
  const licence = pick('license', 'licence', 'modelspec.license', 'enhance.license');
  const name = pick('name', 'modelspec.title');
  const author = pick('author', 'modelspec.author');
  return licence || name || author ? { licence, name, author, source: 'safetensors metadata' } : undefined;
}

/** The card of a model already read: weights, then the metadata beside or inside it, then its name. */
export async function cardOf(path: string, source: ModelSource): Promise<ModelCard> {
  const card: ModelCard =
    source.kind === 'network'
      ? {
          file: path,
          kind: 'network',
          architecture: source.description,
          arch: source.spec.arch,
          scale: source.spec.scale,
          options: source.spec.options,
          parameters: [...source.state.values()].reduce((n, t) => n + t.data.length, 0),
        }
      : { file: path, kind: 'onnx', architecture: source.description };
  const about = (await openModelDbMetadata(path)) ?? fromSafetensorsMetadata(source.kind === 'network' ? source.metadata : undefined);
  if (about) Object.assign(card, Object.fromEntries(Object.entries(about).filter(([, v]) => v !== undefined)));
  if (!card.licence) {
    const match = LICENCE_IN_NAME.exec(basename(path, extname(path)));
    if (match) Object.assign(card, { licence: match[1], source: card.source ?? 'file name' });
  }
  return card;
}

/** Read a model file and make its card. */
export async function modelCard(path: string): Promise<ModelCard> {
  return cardOf(path, await readModelSource(path));
}

const millions = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n.toLocaleString('en'));

/** One line: 'SwinIR, ..., x4, 0.93 M parameters, licence CC-BY-NC-SA-4.0 (OpenModelDB metadata x.json)'. */
export function describeCard(card: ModelCard): string {
  const parts = [card.name ? `${card.name}: ${card.architecture}` : card.architecture];
  if (card.parameters !== undefined) parts.push(`${millions(card.parameters)} parameters`);
  if (card.author) parts.push(`by ${card.author}`);
  parts.push(card.licence ? `licence ${card.licence}${card.source ? ` (${card.source})` : ''}` : 'licence not stated');
  return parts.join(', ');
}
