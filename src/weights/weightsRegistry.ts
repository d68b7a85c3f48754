import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readSafetensors } from '../checkpoint/safetensors.js';
import { EnhanceError, isEnhanceError } from '../errors.js';
import { writeBufferAtomic } from '../io/atomicWrite.js';
import { modelFormatOf } from '../models/modelSource.js';
import type { StateDict } from '../nn/buildContext.js';
import { alexnetStateFromConvSequence, checkAlexnetWeights, randomAlexnetWeights } from '../nn/networks/alexnet.js';
import { checkVggWeights, randomVggWeights, vggStateFromConvSequence, type VggVariant } from '../nn/networks/vgg.js';
import { Random } from '../nn/random.js';
import { readOnnxConvWeights, type OnnxConvWeights } from './onnxConvWeights.js';
import { readPytorchStateDict } from './pytorchFile.js';

/**
 * Pretrained weights that losses and metrics need (VGG for perceptual losses; AlexNet or VGG16 and
 * LPIPS's layer weights for LPIPS) but that enhance cannot ship or download: users register files
 * they have, once, with `enhance weights add <name> <file>`.
 * The registry is `$ENHANCE_HOME/weights.json` (default `~/.enhance/weights.json`) and records each
 * file's absolute path, format and SHA-256, so a file replaced after registration is noticed.
 */

export type WeightsFormat = 'pytorch' | 'safetensors' | 'onnx' | 'random';

/** The stand-in for real weights: `random:<seed>` gives seeded random weights of the right shapes. */
const RANDOM_PATTERN = /^random:(\d+)$/;

/** What enhance knows about one kind of weights. */
export interface KnownWeights {
  description: string;
  /** The official file and where users get it. */
  officialFile: string;
  url: string;
  /** Other files that are accepted. */
  alternatives: string;
  /** Throws an EnhanceError naming the first layer that is missing or has the wrong shape. */
  checkShapes(state: StateDict, options: { file?: string; widthDivisor?: number }): void;
  /** The state dict from an ONNX file's Conv weights in node order. */
  fromOnnxConvs(convs: OnnxConvWeights[]): StateDict;
  /** Seeded random weights with the real shapes. */
  random(seed: number): StateDict;
}

function torchvisionVgg(variant: VggVariant, officialFile: string, convs: number): KnownWeights {
  return {
    description: `${variant.toUpperCase()} ImageNet features (${convs} convs), for perceptual losses`,
    officialFile,
    url: `https://download.pytorch.org/models/${officialFile}`,
    alternatives: `the ONNX model zoo's ${variant}-7.onnx, or a .safetensors with torchvision's features.N.weight/bias names`,
    checkShapes: (state, options) => checkVggWeights(state, variant, options),
    fromOnnxConvs: (convs) => vggStateFromConvSequence(convs, variant),
    random: (seed) => randomVggWeights(variant, seed),
  };
}

const torchvisionAlexnet: KnownWeights = {
  description: 'AlexNet ImageNet features (5 convs), the backbone of LPIPS (alex)',
  officialFile: 'alexnet-owt-7be5be79.pth',
  url: 'https://download.pytorch.org/models/alexnet-owt-7be5be79.pth',
  alternatives: "an ONNX export of torchvision's alexnet, or a .safetensors with torchvision's features.N.weight/bias names",
  checkShapes: (state, options) => checkAlexnetWeights(state, options),
  fromOnnxConvs: (convs) => alexnetStateFromConvSequence(convs),
  random: (seed) => randomAlexnetWeights(seed),
};

const lpipsLinearKey = (layer: number): string => `lin${layer}.model.1.weight`;

/**
 * LPIPS v0.1's learned weights (Zhang et al. 2018): per backbone layer, a 1x1 conv without bias from its
 * channels to one, `lin<k>.model.1.weight` [1, C, 1, 1] (`model.0` is a Dropout). `channels` are the
 * widths of the five backbone layers LPIPS reads.
 */
function lpipsLinearLayers(net: 'alex' | 'vgg', backbone: string, channels: readonly number[]): KnownWeights {
  return {
    description: `LPIPS v0.1 layer weights for ${backbone} (lpips --lpips-net ${net})`,
    officialFile: `${net}.pth`,
    url: `https://github.com/richzhang/PerceptualSimilarity/raw/master/lpips/weights/v0.1/${net}.pth`,
    alternatives: `lpips/weights/v0.1/${net}.pth of the lpips Python package, or a .safetensors with lin0..lin4.model.1.weight`,
    checkShapes: (state, { file, widthDivisor = 1 }) => {
      channels.forEach((width, layer) => {
        const key = lpipsLinearKey(layer);
        const shape = [1, width / widthDivisor, 1, 1];
        const found = state.get(key);
        const needs = `LPIPS with ${backbone} needs [${shape.join(', ')}]`;
        if (!found) throw new EnhanceError(`has no ${key}; ${needs}`, { file });
        if (found.dtype !== 'float32') throw new EnhanceError(`${key} holds ${found.dtype} values, not floats`, { file });
        if (found.shape.length !== 4 || found.shape.some((d, i) => d !== shape[i])) throw new EnhanceError(`${key} is [${found.shape.join(', ')}], ${needs}`, { file });
      });
    },
    fromOnnxConvs: (convs) => {
      if (convs.length !== channels.length) throw new EnhanceError(`has ${convs.length} convolutions, LPIPS has ${channels.length} layer weights`);
      return new Map(convs.map(({ weight }, layer) => [lpipsLinearKey(layer), weight]));
    },
    // Non-negative, as trained LPIPS weights are (training clamps them), so random distances stay >= 0.
    random: (seed) => {
      const random = new Random(seed);
      return new Map(channels.map((width, layer) => [lpipsLinearKey(layer), { dtype: 'float32', shape: [1, width, 1, 1], data: Float32Array.from({ length: width }, () => (random.next() * 2) / width) }]));
    },
  };
}

export const KNOWN_WEIGHTS: Readonly<Record<string, KnownWeights>> = {
  alexnet: torchvisionAlexnet,
  'lpips-alex': lpipsLinearLayers('alex', 'alexnet', [64, 192, 384, 256, 256]),
  'lpips-vgg': lpipsLinearLayers('vgg', 'vgg16', [64, 128, 256, 512, 512]),
  vgg16: torchvisionVgg('vgg16', 'vgg16-397923af.pth', 13),
  vgg19: torchvisionVgg('vgg19', 'vgg19-dcbb9e9d.pth', 16),
};

export interface RegisteredWeights {
  name: string;
  /** Absolute path, or `random:<seed>`. */
  path: string;
  /** Hex SHA-256 of the file; empty for random weights. */
  sha256: string;
  format: WeightsFormat;
}

export interface RegistryOptions {
  /** The folder holding weights.json; default $ENHANCE_HOME, else ~/.enhance. */
  home?: string;
}

export function weightsRegistryPath(options: RegistryOptions = {}): string {
  return join(options.home ?? process.env.ENHANCE_HOME ?? join(homedir(), '.enhance'), 'weights.json');
}

function knownWeights(name: string): KnownWeights {
  const known = Object.hasOwn(KNOWN_WEIGHTS, name) ? KNOWN_WEIGHTS[name] : undefined;
  if (!known) throw new EnhanceError(`unknown weights '${name}'; known weights are ${Object.keys(KNOWN_WEIGHTS).join(', ')}`);
  return known;
}

/** How to get and register `name`'s weights, for error messages and `enhance weights list`. */
export function howToGet(name: string): string {
  const known = knownWeights(name);
  return `get ${known.officialFile} from ${known.url} (or ${known.alternatives}) and run: enhance weights add ${name} <file>`;
}

async function readRegistry(options: RegistryOptions): Promise<Record<string, RegisteredWeights>> {
  const path = weightsRegistryPath(options);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new EnhanceError(`cannot read the weights registry (${(error as NodeJS.ErrnoException).code})`, { file: path, cause: error });
  }
  try {
    const parsed = JSON.parse(text) as { weights?: Record<string, RegisteredWeights> };
    if (typeof parsed.weights !== 'object' || parsed.weights === null) throw new Error('no "weights" object');
    return parsed.weights;
  } catch (error) {
    throw new EnhanceError(`is not a valid weights registry (${error instanceof Error ? error.message : String(error)}); fix or delete it`, { file: path, cause: error });
  }
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The tensors of a weights file in enhance's names, whatever its format. */
async function readWeightsFile(known: KnownWeights, path: string): Promise<{ state: StateDict; format: WeightsFormat }> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnhanceError(code === 'ENOENT' ? 'no such file' : `cannot read (${code})`, { file: path, cause: error });
  }
  if (!isFile) throw new EnhanceError('is a folder, not a weights file', { file: path });
  const format = await modelFormatOf(path);
  try {
    switch (format) {
      case 'pytorch':
        return { state: await readPytorchStateDict(path), format };
      case 'safetensors':
        return { state: (await readSafetensors(path)).tensors, format };
      case 'onnx':
        return { state: known.fromOnnxConvs(readOnnxConvWeights(await readFile(path))), format };
      default:
        throw new EnhanceError('is not a weights file (expected a PyTorch .pth, a .safetensors or an .onnx model)', { file: path });
    }
  } catch (error) {
    throw isEnhanceError(error) && error.file === undefined ? new EnhanceError(error.message, { file: path, cause: error }) : error;
  }
}

/**
 * The weights `name` would use from `source`: a file (checked against the expected shapes) or
 * `random:<seed>`. `widthDivisor` lets tests use narrowed networks.
 */
export async function readWeights(name: string, source: string, options: { widthDivisor?: number } = {}): Promise<{ state: StateDict; format: WeightsFormat }> {
  const known = knownWeights(name);
  const seed = RANDOM_PATTERN.exec(source)?.[1];
  if (seed !== undefined) return { state: known.random(Number(seed)), format: 'random' };
  const { state, format } = await readWeightsFile(known, source);
  known.checkShapes(state, { file: source, widthDivisor: options.widthDivisor });
  return { state, format };
}

/**
 * Register `file` (or `random:<seed>`) as the weights `name`: the file is loaded and its shapes
 * checked, its SHA-256 recorded, and the registry rewritten atomically.
 */
export async function registerWeights(name: string, file: string, options: RegistryOptions & { widthDivisor?: number } = {}): Promise<RegisteredWeights> {
  const isRandom = RANDOM_PATTERN.test(file);
  const path = isRandom ? file : resolve(file);
  const { format } = await readWeights(name, path, options);
  const entry: RegisteredWeights = { name, path, sha256: isRandom ? '' : await sha256OfFile(path), format };
  const registry = await readRegistry(options);
  registry[name] = entry;
  const sorted = Object.fromEntries(Object.entries(registry).sort(([a], [b]) => a.localeCompare(b)));
  await writeBufferAtomic(weightsRegistryPath(options), `${JSON.stringify({ weights: sorted }, null, 2)}\n`);
  return entry;
}

/** Every registered weights entry, by name. */
export async function listWeights(options: RegistryOptions = {}): Promise<RegisteredWeights[]> {
  return Object.values(await readRegistry(options)).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Where the weights `name` are, checked: an unregistered name, a registered file that is gone, or one
 * whose content changed since registration is an EnhanceError that says what to do.
 */
export async function resolveWeights(name: string, options: RegistryOptions = {}): Promise<{ path: string; sha256: string; format: WeightsFormat }> {
  knownWeights(name);
  const entry = (await readRegistry(options))[name];
  if (!entry) throw new EnhanceError(`no ${name} weights are registered: ${howToGet(name)}`);
  const { path, sha256, format } = entry;
  if (format === 'random') return { path, sha256, format };
  let actual: string;
  try {
    actual = await sha256OfFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EnhanceError(`the registered ${name} weights ${code === 'ENOENT' ? 'are gone' : `cannot be read (${code})`}; register them again with: enhance weights add ${name} <file>`, { file: path, cause: error });
  }
  if (actual !== sha256) {
    throw new EnhanceError(`has changed since it was registered as ${name} (SHA-256 ${sha256.slice(0, 12)}..., now ${actual.slice(0, 12)}...); if the new file is right, run: enhance weights add ${name} ${path}`, { file: path });
  }
  return { path, sha256, format };
}

/** The registered weights `name`, resolved, checked and loaded. */
export async function loadWeights(name: string, options: RegistryOptions & { widthDivisor?: number } = {}): Promise<StateDict> {
  const { path } = await resolveWeights(name, options);
  return (await readWeights(name, path, options)).state;
}
