import { basename, extname } from 'node:path';
import { EnhanceError } from '../../errors.js';
import { Graph } from '../../graph/graph.js';
import { serializeModel } from '../../graph/onnx/serializeModel.js';
import type { Value } from '../../graph/value.js';
import { clipLayer, preluLayer, reluLayer, sigmoidLayer } from './activationLayers.js';
import { binaryOpLayer, eltwiseLayer } from './arithmeticLayers.js';
import { convolutionDepthWiseLayer, convolutionLayer, deconvolutionLayer } from './convolutionLayers.js';
import { clip } from './inferenceOps.js';
import { interpLayer } from './interpLayer.js';
import type { LayerConverter } from './layerContext.js';
import { NcnnParams, parseNcnnParam, type NcnnLayer } from './paramFile.js';
import { concatLayer, cropLayer, noopLayer, pixelShuffleLayer, splitLayer } from './shapeLayers.js';
import { NcnnWeightReader } from './weightFile.js';
import { readInputFile } from '../../io/readInputFile.js';

/** The ncnn layer types an imported model may use (besides its one Input). */
const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  BinaryOp: binaryOpLayer,
  Clip: clipLayer,
  Concat: concatLayer,
  Convolution: convolutionLayer,
  ConvolutionDepthWise: convolutionDepthWiseLayer,
  Crop: cropLayer,
  Deconvolution: deconvolutionLayer,
  Eltwise: eltwiseLayer,
  Interp: interpLayer,
  Noop: noopLayer,
  PixelShuffle: pixelShuffleLayer,
  PReLU: preluLayer,
  ReLU: reluLayer,
  Sigmoid: sigmoidLayer,
  Split: splitLayer,
};

/** The blob realesrgan-ncnn-vulkan extracts, chosen when a network leaves more than one blob unused. */
const OUTPUT_BLOB = 'output';

function layerFailure(layer: NcnnLayer, file: string) {
  return (problem: string): never => {
    throw new EnhanceError(`layer ${layer.name} (${layer.type}): ${problem}`, { file });
  };
}

/** The blob no layer reads: the network's result. */
function outputBlob(layers: readonly NcnnLayer[], file: string): string {
  const read = new Set(layers.flatMap((layer) => layer.inputs));
  const unread = layers.flatMap((layer) => layer.outputs).filter((blob) => !read.has(blob));
  if (unread.length === 1) return unread[0];
  if (unread.includes(OUTPUT_BLOB)) return OUTPUT_BLOB;
  throw new EnhanceError(`cannot tell the output blob: ${unread.length === 0 ? 'every blob is read by a layer' : `${unread.join(', ')} are all unread`}`, { file });
}

/**
 * Build the ONNX equivalent of an ncnn super-resolution network: input 'input' [1, 3, height, width],
 * RGB in [0, 1] (realesrgan-ncnn-vulkan divides 8-bit RGB by 255 before the network), output 'output'
 * clamped to [0, 1] (its post-processing clamps when it multiplies back by 255). The layers are
 * converted in file order, which is also the order their weights follow each other in the `.bin`.
 */
export function ncnnToOnnx(layers: readonly NcnnLayer[], weights: NcnnWeightReader, file: string): Uint8Array {
  const unsupported = layers.find((layer) => layer.type !== 'Input' && !(layer.type in LAYER_CONVERTERS));
  if (unsupported) {
    throw new EnhanceError(
      `layer ${unsupported.name} has type ${unsupported.type}, which is not supported (supported: Input, ${Object.keys(LAYER_CONVERTERS).join(', ')})`,
      { file },
    );
  }
  const inputLayers = layers.filter((layer) => layer.type === 'Input');
  if (inputLayers.length !== 1) throw new EnhanceError(`has ${inputLayers.length} Input layers; an image model has one`, { file });

  const graph = new Graph();
  const input = graph.input('input', 'float32', [1, 3, 'height', 'width']);
  const blobs = new Map<string, Value>();
  for (const layer of layers) {
    const fail = layerFailure(layer, file);
    const outputs = layer.type === 'Input' ? [inputBlob(layer, input, fail)] : convertLayer(layer, blobs, weights, fail);
    if (outputs.length !== layer.outputs.length) fail(`names ${layer.outputs.length} output blobs, the layer gives ${outputs.length}`);
    layer.outputs.forEach((name, i) => {
      if (blobs.has(name)) fail(`writes blob '${name}', which an earlier layer already wrote`);
      blobs.set(name, outputs[i]);
    });
  }

  const result = blobs.get(outputBlob(layers, file))!;
  if (result.shape[1] !== 3) throw new EnhanceError(`the output blob has ${String(result.shape[1])} channels; an RGB model gives 3`, { file });
  return serializeModel(graph, { inputs: [input], outputs: [{ name: 'output', value: clip(result, 0, 1) }], graphName: `ncnn_${basename(file, extname(file))}` });
}

function inputBlob(layer: NcnnLayer, input: Value, fail: (problem: string) => never): Value {
  const channels = new NcnnParams(layer, fail).int(2, 0);
  if (channels !== 0 && channels !== 3) fail(`declares ${channels} channels; an RGB model takes 3`);
  if (layer.inputs.length !== 0 || layer.outputs.length !== 1) fail('must read no blob and write one');
  return input;
}

function convertLayer(layer: NcnnLayer, blobs: ReadonlyMap<string, Value>, weights: NcnnWeightReader, fail: (problem: string) => never): Value[] {
  const inputs = layer.inputs.map((name) => blobs.get(name) ?? fail(`reads blob '${name}', which no earlier layer writes`));
  try {
    return LAYER_CONVERTERS[layer.type]({ layer, params: new NcnnParams(layer, fail), inputs, weights, fail });
  } catch (error) {
    // The graph's ops report shapes that do not fit (channels that do not add up, blobs that do not broadcast).
    if (error instanceof RangeError) fail(error.message);
    throw error;
  }
}

/** `model.param` -> `model.bin`. */
export function defaultBinPath(paramPath: string): string {
  const extension = extname(paramPath);
  return `${extension ? paramPath.slice(0, -extension.length) : paramPath}.bin`;
}

/**
 * Convert an ncnn model (Upscayl's and realesrgan-ncnn-vulkan's `.param` + `.bin`) to ONNX model bytes
 * that take 'input' [1, 3, height, width] RGB in [0, 1] and give 'output' [1, 3, height * s, width * s].
 */
export async function importNcnnModel(paramPath: string, binPath: string = defaultBinPath(paramPath)): Promise<Uint8Array> {
  const layers = parseNcnnParam((await readInputFile(paramPath, 'model file')).toString('utf8'), paramPath);
  const weights = new NcnnWeightReader(await readInputFile(binPath, 'model file'), binPath);
  return ncnnToOnnx(layers, weights, paramPath);
}
