import { EnhanceError } from '../../errors.js';
import type { KerasLayer, KerasModelConfig, TensorReference } from './modelJson.js';

/**
 * A Keras model as a straight-line program: each step applies one layer to tensors made by earlier
 * steps. Tensors are named '<layer>:<call>:<output>' as Keras 2 wiring refers to them; a layer called
 * twice (shared weights) is two steps.
 */
export interface LayerCall {
  layer: KerasLayer & { name: string };
  inputs: string[];
  output: string;
}

export interface LayerProgram {
  /** The model's input layer (an InputLayer, or the first layer of a Sequential that declares the input shape). */
  input: { name: string; config: Record<string, unknown>; tensor: string };
  calls: LayerCall[];
  output: string;
}

const tensorName = (layer: string, call: number, output: number): string => `${layer}:${call}:${output}`;
const referenceName = ([layer, call, output]: TensorReference): string => tensorName(layer, call, output);

function layerName(layer: KerasLayer, fallback: string): string {
  const configName = layer.config.name;
  return layer.name ?? (typeof configName === 'string' ? configName : fallback);
}

/** Order the calls so that every input exists before it is used (Keras lists layers roughly, not strictly, in order). */
function orderCalls(calls: LayerCall[], available: Set<string>, file: string): LayerCall[] {
  const ordered: LayerCall[] = [];
  let pending = calls;
  while (pending.length > 0) {
    const ready = pending.filter((call) => call.inputs.every((t) => available.has(t)));
    if (ready.length === 0) {
      const call = pending[0];
      const missing = call.inputs.find((t) => !available.has(t))!;
      throw new EnhanceError(`layer '${call.layer.name}' takes tensor '${missing}', which no layer makes (or the wiring has a cycle)`, { file });
    }
    for (const call of ready) {
      ordered.push(call);
      available.add(call.output);
    }
    pending = pending.filter((call) => !ready.includes(call));
  }
  return ordered;
}

function functionalProgram(model: Extract<KerasModelConfig, { class_name: 'Functional' | 'Model' }>, file: string): LayerProgram {
  const { layers, input_layers: inputs, output_layers: outputs } = model.config;
  if (inputs.length !== 1 || outputs.length !== 1) {
    throw new EnhanceError(`has ${inputs.length} inputs and ${outputs.length} outputs; only models with one image in and one image out can be imported`, { file });
  }
  const named = layers.map((layer, i) => ({ ...layer, name: layerName(layer, `layer_${i}`) }));
  const inputLayer = named.find((layer) => layer.name === inputs[0][0]);
  if (!inputLayer || inputLayer.class_name !== 'InputLayer') throw new EnhanceError(`its input '${inputs[0][0]}' is not an InputLayer of the model`, { file });
  const calls = named
    .filter((layer) => layer !== inputLayer)
    .flatMap((layer) =>
      (layer.inbound_nodes ?? []).map((node, call) => ({ layer, inputs: node.map(referenceName), output: tensorName(layer.name, call, 0) })),
    );
  const input = { name: inputLayer.name, config: inputLayer.config, tensor: tensorName(inputLayer.name, 0, 0) };
  return { input, calls: orderCalls(calls, new Set([input.tensor]), file), output: referenceName(outputs[0]) };
}

function sequentialProgram(model: Extract<KerasModelConfig, { class_name: 'Sequential' }>, file: string): LayerProgram {
  const named = model.config.layers.map((layer, i) => ({ ...layer, name: layerName(layer, `layer_${i}`) }));
  if (named.length === 0) throw new EnhanceError('is a Sequential model without layers', { file });
  const [first] = named;
  // Without an explicit InputLayer, the first layer's config carries the input shape (Keras 2 and tfjs).
  const input = { name: first.name, config: first.config, tensor: 'input' };
  const body = first.class_name === 'InputLayer' ? named.slice(1) : named;
  let previous = input.tensor;
  const calls = body.map((layer) => {
    const call = { layer, inputs: [previous], output: tensorName(layer.name, 0, 0) };
    previous = call.output;
    return call;
  });
  return { input, calls, output: previous };
}

export function layerProgram(model: KerasModelConfig, file: string): LayerProgram {
  return model.class_name === 'Sequential' ? sequentialProgram(model, file) : functionalProgram(model, file);
}
