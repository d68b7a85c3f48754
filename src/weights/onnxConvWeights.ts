import onnxProto from 'onnx-proto';
import { EnhanceError } from '../errors.js';
import type { TensorData } from '../graph/tensorData.js';

const { onnx } = onnxProto;

/** The weight and bias of one Conv node of an ONNX graph. */
export interface OnnxConvWeights {
  node: string;
  weight: TensorData;
  bias?: TensorData;
}

function dimensions(dims: readonly (number | { toNumber(): number })[]): number[] {
  return dims.map((d) => (typeof d === 'number' ? d : d.toNumber()));
}

function floatInitializer(tensor: onnxProto.onnx.ITensorProto): TensorData {
  const shape = dimensions(tensor.dims ?? []);
  const size = shape.reduce((a, b) => a * b, 1);
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) {
    throw new EnhanceError(`initializer ${tensor.name} has ONNX data type ${tensor.dataType}, only float32 weights are read`);
  }
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new EnhanceError(`initializer ${tensor.name} is stored in an external file, which is not supported`);
  }
  const data = tensor.rawData && tensor.rawData.length > 0 ? new Float32Array(new Uint8Array(tensor.rawData).buffer) : Float32Array.from(tensor.floatData ?? []);
  if (data.length !== size) throw new EnhanceError(`initializer ${tensor.name} has ${data.length} values for shape [${shape.join(', ')}]`);
  return { dtype: 'float32', shape, data };
}

/**
 * The Conv weights of an ONNX model in node order (the ONNX model zoo's classification networks name
 * their initializers after their own framework, so order is what relates them to other layouts).
 */
export function readOnnxConvWeights(bytes: Uint8Array): OnnxConvWeights[] {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new EnhanceError(`is not an ONNX model (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const initializers = new Map((model.graph?.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  return (model.graph?.node ?? [])
    .filter((node) => node.opType === 'Conv')
    .map((node, i) => {
      const name = node.name || `Conv #${i + 1}`;
      const [, weightName, biasName] = node.input ?? [];
      const weight = initializers.get(weightName ?? '');
      if (!weight) throw new EnhanceError(`${name}: its weight ${weightName} is not an initializer`);
      const bias = biasName ? initializers.get(biasName) : undefined;
      if (biasName && !bias) throw new EnhanceError(`${name}: its bias ${biasName} is not an initializer`);
      return { node: name, weight: floatInitializer(weight), bias: bias && floatInitializer(bias) };
    });
}
