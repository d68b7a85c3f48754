import onnxProto from 'onnx-proto';
import { EnhanceError } from '../errors.js';
import { MAX_TENSOR_ELEMENTS } from './modelLimits.js';

const { onnx } = onnxProto;

/**
 * An ONNX SR model looked at before onnxruntime runs it: the graph comes from a stranger, and
 * onnxruntime allocates whatever a node asks for (a Resize to a fixed 30000x30000 takes 10 GB on a
 * 16x16 probe). An SR model's tensors follow its input's size, so a large *fixed* size, or an
 * enlargement far beyond any SR factor, is refused here with the node's name.
 */

/** The largest enlargement one Resize may make along one axis (x8 models resize by 8 at most, x16 exist). */
const MAX_RESIZE_FACTOR = 16;

type OnnxModel = onnxProto.onnx.ModelProto;
type OnnxTensor = onnxProto.onnx.ITensorProto;

function toNumber(value: number | { toNumber(): number }): number {
  return typeof value === 'number' ? value : value.toNumber();
}

/** The values of a constant integer or float tensor, or undefined for other types or external data. */
function constantValues(tensor: OnnxTensor): number[] | undefined {
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return undefined;
  const raw = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : undefined;
  switch (tensor.dataType) {
    case onnx.TensorProto.DataType.INT64:
      if (raw) return Array.from(new BigInt64Array(new Uint8Array(raw).buffer), Number);
      return (tensor.int64Data ?? []).map(toNumber);
    case onnx.TensorProto.DataType.FLOAT:
      if (raw) return Array.from(new Float32Array(new Uint8Array(raw).buffer));
      return [...(tensor.floatData ?? [])];
    default:
      return undefined;
  }
}

/** Constant tensors by value name: initializers and the outputs of Constant nodes. */
function constantsOf(model: OnnxModel): Map<string, number[]> {
  const constants = new Map<string, number[]>();
  for (const tensor of model.graph?.initializer ?? []) {
    const values = constantValues(tensor);
    if (values && tensor.name) constants.set(tensor.name, values);
  }
  for (const node of model.graph?.node ?? []) {
    if (node.opType !== 'Constant') continue;
    const value = node.attribute?.find((attribute) => attribute.name === 'value')?.t;
    const values = value ? constantValues(value) : undefined;
    if (values && node.output?.[0]) constants.set(node.output[0], values);
  }
  return constants;
}

function product(values: readonly number[]): number {
  return values.reduce((a, b) => a * b, 1);
}

/** The names of the files an ONNX model keeps its large tensors in (external data), as written. */
export function externalDataLocations(model: OnnxModel): string[] {
  const locations = new Set<string>();
  for (const tensor of model.graph?.initializer ?? []) {
    if (tensor.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value;
    if (location !== undefined && location !== null) locations.add(location);
  }
  return [...locations];
}

/** Decode an ONNX model's protobuf, or a one-line error naming the file. */
export function decodeOnnxModel(bytes: Uint8Array, file: string): OnnxModel {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new EnhanceError(`is not a valid ONNX model (${error instanceof Error ? error.message : String(error)})`, { file, cause: error });
  }
}

/** Refuse a graph whose fixed tensor sizes or enlargements no SR model has. */
export function checkOnnxGraphBounds(model: OnnxModel, file: string): void {
  const refuse = (problem: string): never => {
    throw new EnhanceError(`${problem}; refused (an SR model's tensors follow the picture's size)`, { file });
  };
  const limit = `${Math.round(MAX_TENSOR_ELEMENTS / 1e6)} M elements`;
  const constants = constantsOf(model);
  for (const tensor of model.graph?.initializer ?? []) {
    const dims = (tensor.dims ?? []).map(toNumber);
    if (product(dims) > MAX_TENSOR_ELEMENTS) refuse(`initializer '${tensor.name}' has shape [${dims.join(', ')}], more than ${limit}`);
  }
  for (const [index, node] of (model.graph?.node ?? []).entries()) {
    const name = `node '${node.name || `#${index + 1}`}' (${node.opType})`;
    const input = (i: number) => constants.get(node.input?.[i] ?? '');
    switch (node.opType) {
      case 'Resize':
      case 'Upsample': {
        const sizes = node.opType === 'Resize' ? input(3) : undefined;
        if (sizes && product(sizes) > MAX_TENSOR_ELEMENTS) refuse(`${name} resizes to a fixed ${sizes.join('x')}, more than ${limit}`);
        const scales = input(node.opType === 'Resize' ? 2 : 1);
        if (scales && scales.some((factor) => factor > MAX_RESIZE_FACTOR)) refuse(`${name} enlarges by ${scales.join(' x ')}, more than ${MAX_RESIZE_FACTOR} along an axis`);
        break;
      }
      case 'ConstantOfShape':
      case 'Expand':
      case 'Tile': {
        const shape = input(node.opType === 'ConstantOfShape' ? 0 : 1);
        if (shape && product(shape) > MAX_TENSOR_ELEMENTS) refuse(`${name} makes a fixed ${shape.join('x')}, more than ${limit}`);
        break;
      }
    }
  }
  for (const output of model.graph?.output ?? []) {
    const dims = output.type?.tensorType?.shape?.dim ?? [];
    const fixed = dims.map((dim) => (dim.dimValue === undefined || dim.dimValue === null ? undefined : toNumber(dim.dimValue)));
    if (fixed.every((d) => d !== undefined && d > 0) && product(fixed as number[]) > MAX_TENSOR_ELEMENTS) {
      refuse(`output '${output.name}' has the fixed shape [${fixed.join(', ')}], more than ${limit}`);
    }
  }
}
