import type { z } from 'zod';
import type { Value } from '../graph/value.js';
import type { BuildContext } from '../nn/buildContext.js';
import type { WeightLayout } from './weightLayout.js';

/** What a model is: an architecture (by name), its hyper-parameters and its scale. */
export interface ModelSpec {
  arch: string;
  scale: number;
  options: Record<string, number | string>;
}

/** What tiling needs to know about a network beyond its scale. */
export interface TilingTraits {
  /** Input pixels on each side that influence an output pixel (exact tiles need this much context). */
  receptiveRadius: number;
  /** Estimated working memory of one run per input pixel, in bytes (sizes tiles from a budget). */
  bytesPerPixel: number;
  /** Input height and width must be multiples of this (pixel-unshuffling, window attention); others are padded. */
  sizeMultiple: number;
  /** The smallest input side the network takes (a smaller tile is padded up to it). */
  minimumSize: number;
  /** How a tile is padded to the size multiple: repeating its edge (default), reflecting, as window-attention references do, or with zeros (OmniSR's reference). */
  padding?: 'edge' | 'reflect' | 'zeros';
  /** The graph is built for one input size (window partitions and masks): one session per padded tile shape. */
  perShapeGraph?: boolean;
  /** Tiles start on multiples of `sizeMultiple`, so their windows are the whole picture's windows. */
  alignTiles?: boolean;
  /** The picture channels the network takes and gives: 1 (gray), 3 (RGB, the default) or 4 (RGBA). */
  channels?: number;
}

/** A config value an architecture cannot train with: the key as the config spells it, and why. */
export interface ArchitectureMisfit {
  key: string;
  reason: string;
}

/**
 * Everything enhance knows about one network family, in one place: the registry
 * (`registry.ts`) is a list of these, and nothing else switches on an architecture's name.
 */
export interface Architecture<Name extends string = string, Options = Record<string, number | string>> {
  /** The name configs and model files use: 'rrdbnet', 'srvgg-compact'. */
  readonly name: Name;
  /** The hyper-parameters: the one place their rules and published defaults are written. */
  readonly options: z.ZodType<Options, unknown>;
  /** The network on NCHW input `x` in [0, 1], for a scale. */
  build(ctx: BuildContext, x: Value, scale: number, options: Options): Value;
  traits(options: Options, scale: number): TilingTraits;
  /**
   * Elements of every parameter and buffer the network holds, from its hyper-parameters alone, so a
   * config is refused before anything is allocated (test/train/networkChecks.test.ts compares it
   * with the tensors a build makes).
   */
  stateElements(options: Options, scale: number): number;
  /**
   * Why the network cannot train at this scale and LR patch side, naming the config key to change
   * (the network would refuse too, but deep in graph construction). Absent: it trains at any.
   */
  trainingMisfit?(options: Options, scale: number, lrPatch: number): ArchitectureMisfit | undefined;
  /** The ways released weights of this network are named and shaped, tried in this order. */
  readonly layouts: readonly WeightLayout[];
}

/**
 * An architecture object with its options' type taken from its schema (`defineArchitecture({ name:
 * 'srcnn', options: z.object(...), build: (ctx, x, scale, o) => ... })` types `o`).
 */
export function defineArchitecture<const Name extends string, Schema extends z.ZodType<Record<string, number | string | undefined>>>(
  architecture: Omit<Architecture<Name, z.output<Schema>>, 'options'> & { readonly options: Schema },
): Architecture<Name, z.output<Schema>> {
  return architecture as unknown as Architecture<Name, z.output<Schema>>;
}

/** Elements of a k x k conv with bias (torch.nn.Conv2d): weight [out, in, k, k] and bias [out]. */
export const convElements = (inChannels: number, outChannels: number, kernel = 3): number => outChannels * inChannels * kernel * kernel + outChannels;

/** Elements of a torch.nn.Linear: weight [out, in] and, with `bias`, bias [out]. */
export const linearElements = (inFeatures: number, outFeatures: number, bias = true): number => inFeatures * outFeatures + (bias ? outFeatures : 0);

/** The factors of a PixelShuffle upsampler's stages: x3 is one stage, other scales x2 stages (EDSR, SwinIR). */
export const pixelShuffleStages = (scale: number): number[] => (scale === 3 ? [3] : Array.from({ length: Math.round(Math.log2(scale)) }, () => 2));

/** BatchNorm2d: weight, bias, running mean and running variance. */
export const batchNormElements = (channels: number): number => 4 * channels;

