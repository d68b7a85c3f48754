import { EnhanceError } from '../../errors.js';

/**
 * The text form of an ncnn network (`.param`, ncnn's docs/developer-guide/param-and-model-file-structure.md):
 * the magic 7767517, the layer and blob counts, then one line per layer:
 * `type name inputCount outputCount inputs... outputs... key=value...`.
 */
const NCNN_PARAM_MAGIC = 7767517;

/** A value of a layer's `key=value` list: a number, an array (`-23300-k=n,a,b...` or `k=a,b`) or a string. */
export type NcnnParamValue = number | readonly number[] | string;

export interface NcnnLayer {
  readonly type: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Keyed by ncnn's parameter id (an array's id is stored without the -23300 offset). */
  readonly params: ReadonlyMap<number, NcnnParamValue>;
}

/** An array key is written as -23300 minus its id. */
const ARRAY_KEY_OFFSET = -23300;

/** Tokens separated by spaces; a double-quoted part (a string value) may contain spaces. */
const TOKEN = /(?:[^\s"]+|"[^"]*")+/g;

function parseNumber(text: string): number | undefined {
  const value = Number(text);
  return text !== '' && Number.isFinite(value) ? value : undefined;
}

function parseValue(text: string): NcnnParamValue | undefined {
  // ncnn reads a value that starts with a letter or a quote as a string.
  if (/^["A-Za-z]/.test(text)) return text.replace(/^"|"$/g, '');
  if (!text.includes(',')) return parseNumber(text);
  const values = text.split(',').map(parseNumber);
  return values.every((v) => v !== undefined) ? (values as number[]) : undefined;
}

function parseParams(tokens: readonly string[], fail: (problem: string) => never): Map<number, NcnnParamValue> {
  const params = new Map<number, NcnnParamValue>();
  for (const token of tokens) {
    const match = /^(-?\d+)=(.*)$/.exec(token);
    if (!match) fail(`'${token}' is not a key=value parameter`);
    let id = Number(match[1]);
    let value = parseValue(match[2]);
    if (id <= ARRAY_KEY_OFFSET) {
      id = ARRAY_KEY_OFFSET - id;
      // The old array form starts with the element count.
      const counted = typeof value === 'number' ? [value] : value;
      if (!Array.isArray(counted) || counted[0] !== counted.length - 1) fail(`'${token}' is not an array of the length it announces`);
      value = counted.slice(1);
    }
    if (value === undefined) fail(`'${token}' has a value that is neither a number, a list of numbers nor a string`);
    if (id < 0 || id >= 32) fail(`'${token}' has a parameter id out of ncnn's range 0-31`);
    params.set(id, value);
  }
  return params;
}

function parseLayer(tokens: readonly string[], fail: (problem: string) => never): NcnnLayer {
  if (tokens.length < 4) fail('a layer line needs at least a type, a name and the input and output counts');
  const [type, name] = tokens;
  const inputCount = Number(tokens[2]);
  const outputCount = Number(tokens[3]);
  if (![inputCount, outputCount].every((n) => Number.isInteger(n) && n >= 0)) fail(`layer ${name}: '${tokens[2]} ${tokens[3]}' are not blob counts`);
  const blobsEnd = 4 + inputCount + outputCount;
  if (tokens.length < blobsEnd) fail(`layer ${name}: names ${tokens.length - 4} blobs but announces ${inputCount} inputs and ${outputCount} outputs`);
  const layerFail = (problem: string): never => fail(`layer ${name}: ${problem}`);
  return {
    type,
    name,
    inputs: tokens.slice(4, 4 + inputCount),
    outputs: tokens.slice(4 + inputCount, blobsEnd),
    params: parseParams(tokens.slice(blobsEnd), layerFail),
  };
}

/** Parse a `.param` file's text; problems are EnhanceErrors naming `file` and the line. */
export function parseNcnnParam(text: string, file: string): NcnnLayer[] {
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ tokens: line.match(TOKEN) ?? [], number: index + 1 }))
    .filter((line) => line.tokens.length > 0);
  const failAt = (lineNumber: number) => (problem: string): never => {
    throw new EnhanceError(`line ${lineNumber}: ${problem}`, { file });
  };
  if (lines.length === 0 || lines[0].tokens.join(' ') !== String(NCNN_PARAM_MAGIC)) {
    throw new EnhanceError(`not an ncnn .param file (it does not start with the magic number ${NCNN_PARAM_MAGIC})`, { file });
  }
  const counts = lines[1]?.tokens.map(Number) ?? [];
  if (counts.length !== 2 || !counts.every((n) => Number.isInteger(n) && n >= 0)) failAt(lines[1]?.number ?? 1)('expected the layer count and the blob count');
  const layerLines = lines.slice(2);
  if (layerLines.length !== counts[0]) {
    throw new EnhanceError(`announces ${counts[0]} layers but has ${layerLines.length} layer lines`, { file });
  }
  return layerLines.map((line) => parseLayer(line.tokens, failAt(line.number)));
}

/** Read parameters the way ncnn's layers do: by id, with the layer's default when absent. */
export class NcnnParams {
  constructor(
    private readonly layer: NcnnLayer,
    private readonly fail: (problem: string) => never,
  ) {}

  has(id: number): boolean {
    return this.layer.params.has(id);
  }

  int(id: number, fallback: number): number {
    const value = this.layer.params.get(id) ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail(`parameter ${id} must be an integer, is ${String(value)}`);
    return value;
  }

  float(id: number, fallback: number): number {
    const value = this.layer.params.get(id) ?? fallback;
    if (typeof value !== 'number') this.fail(`parameter ${id} must be a number, is ${String(value)}`);
    return value;
  }

  /** An array parameter (a single number counts as an array of one). */
  array(id: number): readonly number[] {
    const value = this.layer.params.get(id) ?? [];
    if (typeof value === 'string') this.fail(`parameter ${id} must be a list of numbers, is '${value}'`);
    return typeof value === 'number' ? [value] : value;
  }
}
