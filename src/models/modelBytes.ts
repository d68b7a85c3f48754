import { decodeSafetensors } from '../checkpoint/safetensors.js';
import { EnhanceError } from '../errors.js';
import type { StateDict } from '../nn/buildContext.js';
import { exportForwardModel } from '../runtime/exportOnnx.js';
import { parsePytorchCheckpoint } from '../weights/pytorchFile.js';
import { buildNetwork, traitsOf, type ModelSpec } from '../architectures/registry.js';
import { detectArchitecture } from './detectArchitecture.js';
import { modelFromSafetensors } from './modelMetadata.js';
import { checkOnnxGraphBounds, decodeOnnxModel, externalDataLocations } from './onnxGraphCheck.js';

/**
 * Model files as bytes: what the CLI reads from disk and what the web page gets from a file the user
 * drops into it go through the same functions (no file system here).
 */

/** The model file formats enhance reads, told apart by content (names can lie: '.pth' files named '.bin'). */
export type ModelFormat = 'safetensors' | 'pytorch' | 'onnx' | 'ncnn' | 'tfjs';

/**
 * A model as read from any file: one of our networks with its weights (enhance and ESRGAN-family
 * weights, whatever the file format), or an ONNX graph to run as it is (ONNX files, ncnn and TF.js
 * models converted on loading).
 */
export type ModelSource =
  | { kind: 'network'; spec: ModelSpec; state: StateDict; description: string; /** A safetensors file's metadata (licence, author, ...). */ metadata?: Record<string, string> }
  | {
      kind: 'onnx';
      onnx: Uint8Array;
      description: string;
      /** Files beside the model holding its large tensors (ONNX external data), as the graph names them. */
      externalData?: readonly string[];
      /** The model's file, when onnxruntime must open it there to find its external data. */
      path?: string;
    };

/** What kind of model file this is, from its first bytes (16 are enough), then its name's extension. */
export function modelFormatFromHead(magic: Uint8Array, name: string): ModelFormat | undefined {
  const extension = /\.[^./\\]*$/.exec(name)?.[0].toLowerCase() ?? '';
  const view = new DataView(magic.buffer, magic.byteOffset, magic.byteLength);
  const text = (encoding: string) => new TextDecoder(encoding).decode(magic);
  if (magic.length >= 9 && view.getBigUint64(0, true) < 100_000_000n && magic[8] === 0x7b) return 'safetensors'; // header length, then '{'
  if (magic[0] === 0x50 && magic[1] === 0x4b) return 'pytorch'; // zip: torch >= 1.6
  if (magic[0] === 0x80 && magic[1] >= 2 && magic[1] <= 5) return 'pytorch'; // a pickle: legacy torch.save
  if (text('latin1').startsWith('7767517')) return 'ncnn';
  if (extension === '.json' && text('utf-8').trimStart().startsWith('{')) return 'tfjs';
  if (extension === '.onnx' || (magic[0] === 0x08 && extension !== '.bin')) return 'onnx'; // protobuf field 1: ir_version
  return undefined;
}

/** The one-line error for bytes that are no model enhance reads. */
export function notAModelFile(magic: Uint8Array, name: string): EnhanceError {
  const hex = Array.from(magic.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
  return new EnhanceError(
    `is not a model file enhance can read (${magic.length === 0 ? 'empty file' : `starts with ${hex}`}); ` +
      'use an enhance or ESRGAN-family .safetensors, a PyTorch .pth, an ONNX .onnx, an ncnn .param or a TF.js model.json',
    { file: name },
  );
}

/** Our network from third-party weights: the architecture is recognised from the parameter names and shapes. */
function fromWeights(state: StateDict, name: string, metadata?: Record<string, string>): ModelSource {
  return { kind: 'network', ...detectArchitecture(state, name), ...(metadata ? { metadata } : {}) };
}

/** A model whose whole definition is in one file (safetensors, PyTorch, ONNX), from its bytes. */
export function modelSourceFromBytes(bytes: Uint8Array, name: string): ModelSource {
  const format = modelFormatFromHead(bytes.subarray(0, 16), name);
  switch (format) {
    case 'safetensors': {
      const file = decodeSafetensors(bytes, name);
      if (!file.metadata['enhance.arch']) return fromWeights(file.tensors, name, file.metadata);
      const { spec, state } = modelFromSafetensors(file, name);
      const options = Object.entries(spec.options).map(([k, v]) => `${k} ${v}`).join(', ');
      return { kind: 'network', spec, state, description: `${spec.arch} x${spec.scale}${options ? ` (${options})` : ''}`, metadata: file.metadata };
    }
    case 'pytorch':
      return fromWeights(parsePytorchCheckpoint(bytes, name), name);
    case 'onnx':
      return onnxSource(bytes, name, `ONNX model ${name}`);
    case 'ncnn':
    case 'tfjs':
      throw new EnhanceError(`is ${format === 'ncnn' ? 'an ncnn' : 'a TF.js'} model, which comes in several files: convert it with 'enhance export' first`, { file: name });
    case undefined:
      throw notAModelFile(bytes.subarray(0, 8), name);
  }
}

/**
 * An ONNX graph as a model source, once checked: a graph whose fixed sizes no SR model has is refused
 * before onnxruntime allocates them. Its external data files are listed for the caller to confine.
 */
export function onnxSource(onnx: Uint8Array, name: string, description: string): ModelSource & { kind: 'onnx' } {
  const model = decodeOnnxModel(onnx, name);
  checkOnnxGraphBounds(model, name);
  const externalData = externalDataLocations(model);
  return { kind: 'onnx', onnx, description, ...(externalData.length > 0 ? { externalData } : {}) };
}

/** The input size window-attention networks are exported for when none is asked (their graphs hold one size's windows and masks). */
export const DEFAULT_FIXED_EXPORT_SIZE = 256;

/**
 * The model as a standalone ONNX graph (input 'input' [batch, 3, height, width] in [0, 1]). Networks
 * built for one size (window attention: SwinIR, ...) get input [1, 3, size.height, size.width],
 * 256x256 unless asked, which must be a multiple of the window; callers pad pictures to it.
 */
export function onnxOf(source: ModelSource, size?: { height: number; width: number }): Uint8Array {
  if (source.kind === 'onnx') return source.onnx;
  const traits = traitsOf(source.spec);
  if (!traits.perShapeGraph) return exportForwardModel((ctx, x) => buildNetwork(source.spec, ctx, x), source.state);
  const { height, width } = size ?? { height: DEFAULT_FIXED_EXPORT_SIZE, width: DEFAULT_FIXED_EXPORT_SIZE };
  const m = traits.sizeMultiple;
  if (height % m !== 0 || width % m !== 0 || height < traits.minimumSize || width < traits.minimumSize) {
    throw new EnhanceError(`${height}x${width} does not suit ${source.description}: its graph is built for one size, a multiple of ${m}`);
  }
  return exportForwardModel((ctx, x) => buildNetwork(source.spec, ctx, x), source.state, { dims: [1, height, width] });
}
