import onnxProto from 'onnx-proto';
import type { Graph } from '../graph.js';
import type { AttributeValue, Node } from '../node.js';
import type { Shape } from '../shape.js';
import type { TensorData } from '../tensorData.js';
import type { DType, Value } from '../value.js';

const { onnx } = onnxProto;

/** The ONNX opset the engine's ops follow (every op it emits runs on onnxruntime at this opset). */
export const OPSET = 17;

const ELEMENT_TYPE: Record<DType, number> = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64, bool: onnx.TensorProto.DataType.BOOL };

export interface ModelSpec {
  /** Values fed when the model runs. Anything else the outputs need must be a constant or parameter. */
  inputs: readonly Value[];
  /** Outputs, optionally under another name than the value's own (e.g. 'loss', 'updated.conv.weight'). */
  outputs: readonly (Value | { name: string; value: Value })[];
  /** Parameter contents to embed (default: their initial values); a parameter that is an input is not embedded. */
  parameterValues?: ReadonlyMap<Value, TensorData>;
  graphName?: string;
}

function valueInfo(name: string, dtype: DType, shape: Shape): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPE[dtype],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorProto(name: string, tensor: TensorData): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return { name, dataType: ELEMENT_TYPE[tensor.dtype], dims: [...tensor.shape], rawData: bytes };
}

function attributeProto(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: types.INT, i: value };
  if (typeof value === 'string') return { name, type: types.STRING, s: new TextEncoder().encode(value) };
  if ('float' in value) return { name, type: types.FLOAT, f: value.float };
  if (value.every((v) => typeof v === 'number')) return { name, type: types.INTS, ints: [...(value as number[])] };
  return { name, type: types.STRINGS, strings: (value as string[]).map((v) => new TextEncoder().encode(v)) };
}

/** The nodes needed to compute `outputs` from `inputs`, in execution order. */
export function requiredNodes(graph: Graph, inputs: ReadonlySet<Value>, outputs: readonly Value[]): Node[] {
  const needed = new Set<Node>();
  const stack = [...outputs];
  const seen = new Set<Value>();
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (seen.has(value) || inputs.has(value)) continue;
    seen.add(value);
    if (value.producer) {
      needed.add(value.producer);
      for (const input of value.producer.inputs) if (input) stack.push(input);
    }
  }
  return graph.nodes.filter((node) => needed.has(node));
}

/**
 * Computed values returned under a new name take that name in the model itself: ORT copies the tensor
 * behind every Identity, and a training step returns each parameter and optimizer state under its
 * `next.` name (16 MB copies per large discriminator weight, each step).
 */
function outputNames(outputs: readonly { name: string; value: Value }[], inputs: ReadonlySet<Value>): Map<Value, string> {
  const returned = new Map<Value, string[]>();
  for (const o of outputs) returned.set(o.value, [...(returned.get(o.value) ?? []), o.name]);
  const renamed = new Map<Value, string>();
  for (const [value, names] of returned) {
    if (value.producer && !inputs.has(value) && names.length === 1 && names[0] !== value.name) renamed.set(value, names[0]);
  }
  return renamed;
}

/** Encode part of a graph as an ONNX model (protobuf bytes) that onnxruntime or any ONNX tool can load. */
export function serializeModel(graph: Graph, spec: ModelSpec): Uint8Array {
  const inputs = new Set(spec.inputs);
  const outputs = spec.outputs.map((o) => ('value' in o ? o : { name: o.name, value: o }));
  const nodes = requiredNodes(graph, inputs, outputs.map((o) => o.value));

  const used = new Set<Value>();
  for (const node of nodes) for (const input of node.inputs) if (input) used.add(input);
  for (const o of outputs) used.add(o.value);

  const initializers: onnxProto.onnx.ITensorProto[] = [];
  for (const value of used) {
    if (inputs.has(value) || value.producer) continue;
    const contents = spec.parameterValues?.get(value) ?? graph.initialValues.get(value);
    if (!contents) throw new Error(`serializeModel: ${value.name} is needed but is neither fed nor a constant`);
    initializers.push(tensorProto(value.name, contents));
  }

  const renamed = outputNames(outputs, inputs);
  const nameOf = (v: Value | undefined) => (v ? (renamed.get(v) ?? v.name) : '');
  const nodeProtos: onnxProto.onnx.INodeProto[] = nodes.map((node, index) => ({
    name: `${node.op.type}_${index}`,
    opType: node.op.type,
    domain: node.op.domain ?? '',
    input: node.inputs.map(nameOf),
    output: node.outputs.map(nameOf),
    attribute: Object.entries(node.attributes).map(([name, value]) => attributeProto(name, value)),
  }));
  // Any other output under a new name (a fed value or constant returned, or a value returned twice) goes
  // through an Identity.
  for (const o of outputs) {
    if (o.name !== nameOf(o.value)) nodeProtos.push({ name: `output_${o.name}`, opType: 'Identity', input: [nameOf(o.value)], output: [o.name] });
  }

  const domains = new Set(nodes.map((n) => n.op.domain ?? ''));
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 8,
    producerName: 'enhance',
    opsetImport: [...domains].map((domain) => ({ domain, version: domain === '' ? OPSET : 1 })),
    graph: {
      name: spec.graphName ?? 'enhance',
      node: nodeProtos,
      initializer: initializers,
      input: spec.inputs.map((v) => valueInfo(v.name, v.dtype, v.shape)),
      output: outputs.map((o) => valueInfo(o.name, o.value.dtype, o.value.shape)),
    },
  };
  if (!domains.has('')) model.opsetImport!.push({ domain: '', version: OPSET });
  return onnx.ModelProto.encode(model).finish();
}
