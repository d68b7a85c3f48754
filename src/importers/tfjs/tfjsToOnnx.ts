import type { z } from 'zod';
import { EnhanceError } from '../../errors.js';
import { Graph } from '../../graph/graph.js';
import { serializeModel } from '../../graph/onnx/serializeModel.js';
import { div, mul } from '../../graph/ops/elementwise.js';
import type { TensorData } from '../../graph/tensorData.js';
import type { Value } from '../../graph/value.js';
import { convertLayer, type LayerContext } from './convertLayer.js';
import { clamp } from './kerasActivations.js';
import type { LayerCall, LayerProgram } from './layerCalls.js';
import type { PixelRange } from './pixelRange.js';
import type { NamedWeights } from './readWeights.js';

function layerContext(graph: Graph, layer: LayerCall['layer'], weights: NamedWeights, used: Set<string>, file: string): LayerContext {
  const fail = (problem: string): never => {
    throw new EnhanceError(`layer '${layer.name}' (${layer.class_name}): ${problem}`, { file });
  };
  return {
    graph,
    layer,
    fail,
    config<T>(schema: z.ZodType<T>): T {
      const parsed = schema.safeParse(layer.config);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      return fail(`config '${issue.path.join('.')}': ${issue.message}`);
    },
    weight(suffix: string): TensorData {
      const name = `${layer.name}/${suffix}`;
      const weight = weights.get(name);
      if (!weight) return fail(`needs weight '${name}', which weightsManifest does not list`);
      used.add(name);
      return weight;
    },
  };
}

/** The model must take and give RGB images: [batch, height, width, 3] in Keras's NHWC. */
function checkRgbInput(program: LayerProgram, file: string): void {
  const shape = program.input.config.batch_input_shape;
  if (!Array.isArray(shape)) throw new EnhanceError(`its input layer '${program.input.name}' declares no batch_input_shape`, { file });
  if (shape.length !== 4 || shape[3] !== 3) {
    throw new EnhanceError(`takes input of shape [${shape.map((d) => d ?? 'null').join(', ')}]; only RGB images [batch, height, width, 3] are supported`, { file });
  }
}

/**
 * Build the ONNX model of a Keras layer program: input 'input' [1, 3, height, width] RGB in [0, 1],
 * scaled to the network's pixel range; output 'output' [1, 3, height * s, width * s], the network's
 * prediction clipped to its range and scaled back to [0, 1], as UpscalerJS post-processes it.
 */
export function tfjsToOnnx(program: LayerProgram, weights: NamedWeights, pixelRange: PixelRange, file: string): Uint8Array {
  checkRgbInput(program, file);
  const graph = new Graph();
  const input = graph.input('input', 'float32', [1, 3, 'height', 'width']);
  const tensors = new Map<string, Value>([[program.input.tensor, pixelRange === 1 ? input : mul(input, pixelRange)]]);
  const used = new Set<string>();
  for (const call of program.calls) {
    const context = layerContext(graph, call.layer, weights, used, file);
    try {
      tensors.set(call.output, convertLayer(call.inputs.map((t) => tensors.get(t)!), context));
    } catch (error) {
      // Our ops report inconsistent shapes (e.g. adding [1, 8, h, w] to [1, 4, h, w]) as RangeErrors: here, a bad file.
      if (error instanceof RangeError) context.fail(error.message);
      throw error;
    }
  }
  const unused = [...weights.keys()].filter((name) => !used.has(name));
  if (unused.length > 0) throw new EnhanceError(`weightsManifest lists weights no layer uses: ${unused.join(', ')}`, { file });
  const prediction = tensors.get(program.output);
  if (!prediction) throw new EnhanceError(`its output '${program.output}' is made by no layer`, { file });
  if (prediction.shape[1] !== 3) throw new EnhanceError(`gives ${prediction.shape[1]} channels; only RGB outputs are supported`, { file });
  const clipped = clamp(prediction, 0, pixelRange);
  const output = pixelRange === 1 ? clipped : div(clipped, pixelRange);
  return serializeModel(graph, { inputs: [input], outputs: [{ name: 'output', value: output }], graphName: 'tfjs_layers_model' });
}
