import { EnhanceError } from '../errors.js';
import type { StateDict } from '../nn/buildContext.js';
import type { ModelSpec } from './architecture.js';
import type { KeyRenaming } from './keyRenaming.js';

/** What a layout reads from a file's names and shapes. */
export interface LayoutReading {
  spec: ModelSpec;
  /** The hyper-parameters for people: '23 blocks, 64 features'. */
  details: string;
  renaming: KeyRenaming;
  /** File keys read for hyper-parameters only, not loaded as weights (EDSR-PyTorch's mean shift). */
  readOnly?: readonly string[];
}

/** One way a project names and shapes a network's weights (ESRGAN's original file layout, BasicSR's, ...). */
export interface WeightLayout {
  /** For people: 'ESRGAN RRDBNet (original layout)'. */
  readonly name: string;
  /** Keys that are all present in this layout and together in no other. */
  readonly signature: readonly string[];
  read(weights: LayoutWeights): LayoutReading;
}

/** A file's tensors as a layout reads them: every question about a key that is not there fails naming it. */
export class LayoutWeights {
  constructor(
    private readonly state: StateDict,
    readonly layout: string,
    private readonly file?: string,
  ) {}

  has(key: string): boolean {
    return this.state.has(key);
  }

  keys(): string[] {
    return [...this.state.keys()];
  }

  shape(key: string): readonly number[] {
    const tensor = this.state.get(key);
    if (!tensor) this.fail(`has no '${key}'`);
    return tensor.shape;
  }

  /** A conv weight's [out, in, kh, kw]. */
  convShape(key: string): { out: number; in: number; kernel: number } {
    const shape = this.shape(key);
    if (shape.length !== 4) this.fail(`'${key}' is [${shape.join(', ')}], not a conv weight`);
    return { out: shape[0], in: shape[1], kernel: shape[2] };
  }

  values(key: string): Float32Array {
    const tensor = this.state.get(key);
    if (!tensor) this.fail(`has no '${key}'`);
    if (!(tensor.data instanceof Float32Array)) this.fail(`'${key}' is ${tensor.dtype}, not floating point`);
    return tensor.data;
  }

  /** The indices N of keys `<prefix>.N.…` (ascending); `prefix` is '' for top-level keys. */
  indices(prefix: string): number[] {
    const start = prefix ? `${prefix}.` : '';
    const found = new Set<number>();
    for (const key of this.state.keys()) {
      if (!key.startsWith(start)) continue;
      const segment = key.slice(start.length).split('.')[0];
      if (/^\d+$/.test(segment)) found.add(Number(segment));
    }
    return [...found].sort((a, b) => a - b);
  }

  /** The highest N of keys `<prefix>.N.…`. */
  highestIndex(prefix: string): number {
    const indices = this.indices(prefix);
    if (indices.length === 0) this.fail(`has no '${prefix}.0.…' keys`);
    return indices[indices.length - 1];
  }

  /** How many consecutive `<name>1.weight`, `<name>2.weight`, ... there are. */
  countNumbered(name: string): number {
    let count = 0;
    while (this.state.has(`${name}${count + 1}.weight`)) count++;
    return count;
  }

  fail(problem: string): never {
    throw new EnhanceError(`looks like ${this.layout} but ${problem}`, { file: this.file });
  }
}

/** The one scale x with channels * x^2 = count, for a PixelShuffle conv's output channels. */
export function pixelShuffleScale(weights: LayoutWeights, key: string, count: number, channels: number): number {
  const scale = Math.round(Math.sqrt(count / channels));
  if (scale < 1 || channels * scale * scale !== count) weights.fail(`'${key}' has ${count} output channels, not ${channels} x a square scale`);
  return scale;
}

/** Scale of a PixelShuffle upsampler read stage by stage from `upsample.{0,2,...}.weight` (SwinIR, HAT, DAT). */
export function pixelShuffleStagesScale(weights: LayoutWeights, features: number): number {
  let scale = 1;
  for (let i = 0; weights.has(`upsample.${i}.weight`); i += 2) scale *= pixelShuffleScale(weights, `upsample.${i}.weight`, weights.convShape(`upsample.${i}.weight`).out, features);
  return scale;
}

/** The one value of `read(g)` over the groups, or a refusal: our transformers have the same depth and heads in every group. */
export function sameInEveryGroup(weights: LayoutWeights, groups: number, what: string, read: (group: number) => number): number {
  const values = Array.from({ length: groups }, (_, g) => read(g));
  if (values.some((v) => v !== values[0])) weights.fail(`its groups have different ${what} (${values.join(', ')}); only equal ones are supported`);
  return values[0];
}

/** Only RGB models can run on pictures (gray is run as RGB). */
export function requireRgb(weights: LayoutWeights, key: string, channels: number, side: 'input' | 'output'): void {
  if (channels !== 3) weights.fail(`'${key}' gives it ${channels} ${side} channels; only RGB (3-channel) models can be run`);
}

/** '1 block', '23 blocks'. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Gray (1), RGB (3) or RGBA (4) pictures: the channel counts released models are made for. */
export const PICTURE_CHANNELS = [1, 3, 4] as const;

/** A model's picture channels from a conv's channel count, or a refusal naming the key. */
export function pictureChannels(weights: LayoutWeights, key: string, channels: number, side: 'input' | 'output'): number {
  if (!(PICTURE_CHANNELS as readonly number[]).includes(channels)) weights.fail(`'${key}' gives it ${channels} ${side} channels; gray (1), RGB (3) or RGBA (4) models can be run`);
  return channels;
}
