import onnxProto from 'onnx-proto';
import { activationQuantization, quantizeBias, quantizeWeightsPerChannel, type Range } from './quantParams.js';

const { onnx } = onnxProto;
type Model = onnxProto.onnx.IModelProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
const DataType = onnx.TensorProto.DataType;

/**
 * Ops whose inputs and outputs get a QuantizeLinear/DequantizeLinear pair. onnxruntime fuses
 * DQ -> op -> Q into its integer kernels (QLinearConv, QLinearAdd, QLinearConcat, QLinearLeakyRelu...)
 * and runs the data-movement ops (Resize, DepthToSpace...) on the uint8 tensor itself; whatever is left
 * (PRelu, Mul by a constant) runs in float between a DQ and a Q.
 */
export const QUANTIZED_OPS = new Set(['Conv', 'Add', 'Concat', 'LeakyRelu', 'Relu', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Resize', 'DepthToSpace', 'SpaceToDepth', 'MatMul', 'Gemm']);

/** Ops whose weight (input 1) is quantized per output channel. */
const WEIGHTED_OPS = new Set(['Conv', 'MatMul', 'Gemm']);

export interface QdqPlan {
  /** Float tensors that get a Q/DQ pair (their ranges must be calibrated). */
  tensors: string[];
  /** Nodes that are quantized. */
  nodes: NodeProto[];
}

function initializerMap(model: Model): Map<string, TensorProto> {
  return new Map((model.graph!.initializer ?? []).map((t) => [t.name!, t]));
}

/** The float contents of an initializer (raw bytes or float_data). */
export function floatsOf(tensor: TensorProto): Float32Array {
  if (tensor.dataType !== DataType.FLOAT) throw new Error(`${tensor.name} is not float32`);
  if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(tensor.floatData ?? []);
}

const dimsOf = (tensor: TensorProto) => (tensor.dims ?? []).map(Number);

function isQuantizable(node: NodeProto, initializers: Map<string, TensorProto>, ops: ReadonlySet<string>): boolean {
  if ((node.domain ?? '') !== '' || !ops.has(node.opType!)) return false;
  if (node.opType === 'Conv') {
    const weight = initializers.get(node.input![1]);
    return weight !== undefined && weight.dataType === DataType.FLOAT && dimsOf(weight).length === 4;
  }
  if (node.opType === 'MatMul' || node.opType === 'Gemm') return false; // window-attention models: later
  return true;
}

/** The float data tensors a node reads that are not weights (the activations). */
function activationInputs(node: NodeProto, initializers: Map<string, TensorProto>): string[] {
  // Resize's scales/sizes and Pad's pads are parameters, not pictures: only input 0 is quantized.
  if (node.opType === 'Resize' || node.opType === 'Conv' || WEIGHTED_OPS.has(node.opType!)) return [node.input![0]];
  return node.input!.filter((name) => name !== '' && !initializers.has(name));
}

/**
 * Which nodes and tensors to quantize. `keepFloat`: names of nodes left in float (by default the first
 * conv, which reads the picture, and every node after the last conv: they make the output's 8 bits).
 */
export function planQdq(model: Model, keepFloat: ReadonlySet<string>, ops: ReadonlySet<string> = QUANTIZED_OPS): QdqPlan {
  const graph = model.graph!;
  const initializers = initializerMap(model);
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name!));
  const nodes = (graph.node ?? []).filter((n) => !keepFloat.has(n.name!) && isQuantizable(n, initializers, ops));
  const tensors = new Set<string>();
  for (const node of nodes) {
    for (const name of activationInputs(node, initializers)) tensors.add(name);
    for (const name of node.output!) if (!graphOutputs.has(name)) tensors.add(name);
  }
  return { tensors: [...tensors], nodes };
}

/** The nodes that read, directly or through other nodes, the outputs of `start`. */
function downstreamOf(nodes: readonly NodeProto[], start: NodeProto): Set<NodeProto> {
  const reached = new Set<NodeProto>([start]);
  const tensors = new Set(start.output ?? []);
  // Nodes are in topological order (ONNX requires it), so one pass finds every reader.
  for (const node of nodes.slice(nodes.indexOf(start) + 1)) {
    if ((node.input ?? []).some((name) => tensors.has(name))) {
      reached.add(node);
      for (const name of node.output ?? []) tensors.add(name);
    }
  }
  return reached;
}

const UPSAMPLERS = new Set(['Resize', 'Upsample', 'DepthToSpace']);

/**
 * The nodes kept float by default: the first conv (it reads the picture), the last conv, and the
 * upsampling tail: every node downstream of the first upsampler of features. The tail's convs run on up
 * to 16x the pixels, where an 8-bit rounding step lands on the output directly: measured on Real-ESRGAN
 * x4plus, quantizing them too doubles the mean output error. An upsampler of the picture itself (the
 * nearest-neighbour skip of SRVGGNetCompact) is not the tail: the features before it are the body.
 */
export function defaultFloatNodes(model: Model): Set<string> {
  const nodes = model.graph!.node ?? [];
  const pictures = new Set((model.graph!.input ?? []).map((i) => i.name!));
  const keep = new Set<string>();
  const convs = nodes.filter((n) => n.opType === 'Conv' || n.opType === 'ConvTranspose');
  if (convs.length > 0) keep.add(convs[0].name!).add(convs[convs.length - 1].name!);
  const tail = nodes.find((n) => UPSAMPLERS.has(n.opType!) && !pictures.has(n.input![0]));
  if (tail) for (const n of downstreamOf(nodes, tail)) keep.add(n.name!);
  return keep;
}

function scalarTensor(name: string, dataType: number, value: number): TensorProto {
  const data = dataType === DataType.FLOAT ? new Float32Array([value]) : dataType === DataType.UINT8 ? new Uint8Array([value]) : new Int8Array([value]);
  return { name, dataType, dims: [], rawData: new Uint8Array(data.buffer) };
}

function vectorTensor(name: string, dataType: number, data: Float32Array | Int8Array | Int32Array, dims: number[]): TensorProto {
  return { name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * A copy of `model` in QDQ form: every planned tensor passes through QuantizeLinear -> DequantizeLinear
 * (uint8, its calibrated range), each quantized conv's weight is int8 per output channel behind a
 * DequantizeLinear, and its bias int32 at input scale x weight scale. Standard ONNX (opset 13+ per-axis
 * Q/DQ): any runtime runs it; onnxruntime turns the patterns into integer kernels.
 */
export function insertQdq(model: Model, plan: QdqPlan, ranges: ReadonlyMap<string, Range>): Model {
  const graph = model.graph!;
  const initializers = initializerMap(model);
  const newInitializers: TensorProto[] = [];
  const quantization = new Map<string, { scale: number; zeroPoint: number }>();
  // Tensor t is read by its quantized consumers as t's DequantizeLinear output.
  const dequantized = new Map<string, string>();
  const qdqNodes = new Map<string, NodeProto[]>(); // after the producer of t (or at the start for graph inputs)
  for (const tensor of plan.tensors) {
    const range = ranges.get(tensor);
    if (!range) throw new Error(`no calibrated range for ${tensor}`);
    const q = activationQuantization(range);
    quantization.set(tensor, q);
    const [scale, zero, quantized, restored] = [`${tensor}.q_scale`, `${tensor}.q_zero`, `${tensor}.quantized`, `${tensor}.dequantized`];
    newInitializers.push(scalarTensor(scale, DataType.FLOAT, q.scale), scalarTensor(zero, DataType.UINT8, q.zeroPoint));
    dequantized.set(tensor, restored);
    qdqNodes.set(tensor, [
      { name: `${tensor}.QuantizeLinear`, opType: 'QuantizeLinear', input: [tensor, scale, zero], output: [quantized] },
      { name: `${tensor}.DequantizeLinear`, opType: 'DequantizeLinear', input: [quantized, scale, zero], output: [restored] },
    ]);
  }

  const quantizedNodes = new Set(plan.nodes);
  const quantizedOutputs = new Set(plan.nodes.flatMap((n) => n.output!));
  const replaced = new Set<string>(); // float weights now only read in int8 form
  const nodes: NodeProto[] = [];
  const emitPairsFor = (names: readonly string[]) => {
    for (const name of names) {
      const pair = qdqNodes.get(name);
      if (pair) nodes.push(...pair);
    }
  };
  emitPairsFor((graph.input ?? []).map((i) => i.name!));
  for (const original of graph.node ?? []) {
    // A quantized node reads its inputs dequantized. So does every reader of a quantized node's output,
    // float ones too: onnxruntime fuses a node with its Q only when the Q is its sole reader, and the
    // kernels' output is 8-bit anyway. A float node's output keeps its float readers (a float residual
    // trunk stays float where it is not fed to a conv).
    const readsQuantized = (name: string) => quantizedNodes.has(original) || quantizedOutputs.has(name);
    const node: NodeProto = { ...original, input: original.input!.map((name) => (readsQuantized(name) ? (dequantized.get(name) ?? name) : name)) };
    if (quantizedNodes.has(original) && node.opType === 'Conv') nodes.push(...quantizeConvParameters(node, original, initializers, quantization, newInitializers, replaced));
    nodes.push(node);
    emitPairsFor(original.output!);
  }
  const initializer = [...(graph.initializer ?? []).filter((t) => !replaced.has(t.name!) || isReadAsFloat(t.name!, nodes)), ...newInitializers];
  return { ...model, graph: { ...graph, node: nodes, initializer } };
}

function isReadAsFloat(name: string, nodes: readonly NodeProto[]): boolean {
  return nodes.some((n) => n.input!.includes(name));
}

/** int8 weight and int32 bias, each behind a DequantizeLinear, for one conv whose input is quantized. */
function quantizeConvParameters(
  node: NodeProto,
  original: NodeProto,
  initializers: Map<string, TensorProto>,
  quantization: Map<string, { scale: number; zeroPoint: number }>,
  out: TensorProto[],
  replaced: Set<string>,
): NodeProto[] {
  const added: NodeProto[] = [];
  const weight = initializers.get(original.input![1])!;
  const dims = dimsOf(weight);
  const { values, scales } = quantizeWeightsPerChannel(floatsOf(weight), dims, 0);
  const base = `${node.name}.weight`;
  out.push(vectorTensor(`${base}.int8`, DataType.INT8, values, dims), vectorTensor(`${base}.scale`, DataType.FLOAT, scales, [dims[0]]));
  out.push(vectorTensor(`${base}.zero`, DataType.INT8, new Int8Array(dims[0]), [dims[0]]));
  added.push({ name: `${base}.DequantizeLinear`, opType: 'DequantizeLinear', input: [`${base}.int8`, `${base}.scale`, `${base}.zero`], output: [`${base}.dequantized`], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] });
  node.input![1] = `${base}.dequantized`;
  replaced.add(weight.name!);
  const inputQuantization = quantization.get(original.input![0]);
  const biasName = original.input![2];
  const bias = biasName ? initializers.get(biasName) : undefined;
  if (bias && inputQuantization) {
    const { values: biasValues, scales: biasScales } = quantizeBias(floatsOf(bias), inputQuantization.scale, scales);
    const b = `${node.name}.bias`;
    out.push(vectorTensor(`${b}.int32`, DataType.INT32, biasValues, [dims[0]]), vectorTensor(`${b}.scale`, DataType.FLOAT, biasScales, [dims[0]]));
    out.push(vectorTensor(`${b}.zero`, DataType.INT32, new Int32Array(dims[0]), [dims[0]]));
    added.push({ name: `${b}.DequantizeLinear`, opType: 'DequantizeLinear', input: [`${b}.int32`, `${b}.scale`, `${b}.zero`], output: [`${b}.dequantized`], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] });
    node.input![2] = `${b}.dequantized`;
    replaced.add(bias.name!);
  }
  return added;
}
