import { z } from 'zod';
import { EnhanceError } from '../../errors.js';
import { readInputFile } from '../../io/readInputFile.js';

/**
 * The model.json of a TensorFlow.js layers model, as tfjs `model.save()` and the tfjs converter write it:
 * a Keras 2 model config (`modelTopology`, possibly under `model_config`) and a weights manifest (groups
 * of shard files holding named weights in order). Only the fields the importer reads are checked.
 */

/** The converter's --quantize_* forms: integer codes with an affine map back to floats, or half floats. */
const quantizationSchema = z.discriminatedUnion('dtype', [
  z.object({ dtype: z.enum(['uint8', 'uint16']), min: z.number(), scale: z.number() }),
  z.object({ dtype: z.literal('float16') }),
]);

const weightSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.string(),
  quantization: quantizationSchema.optional(),
});

const weightGroupSchema = z.object({
  paths: z.array(z.string()).min(1),
  weights: z.array(weightSpecSchema),
});

/** A reference to a tensor in Keras 2 wiring: [layer name, node index, tensor index, call kwargs]. */
const tensorReferenceSchema = z.tuple([z.string(), z.number().int().nonnegative(), z.number().int().nonnegative()]).rest(z.unknown());

const layerSchema = z.object({
  class_name: z.string(),
  name: z.string().optional(),
  config: z.record(z.string(), z.unknown()),
  /** One entry per call of the layer, each listing the tensors that call consumed. */
  inbound_nodes: z.array(z.array(tensorReferenceSchema)).optional(),
});

const functionalSchema = z.object({
  class_name: z.enum(['Functional', 'Model']),
  config: z.object({
    layers: z.array(layerSchema),
    input_layers: z.array(tensorReferenceSchema),
    output_layers: z.array(tensorReferenceSchema),
  }),
});

const sequentialSchema = z.object({
  class_name: z.literal('Sequential'),
  // Keras 2 writes { name, layers }; Keras 1 and old tfjs wrote the bare list.
  config: z.union([z.object({ layers: z.array(layerSchema) }), z.array(layerSchema).transform((layers) => ({ layers }))]),
});

const modelConfigSchema = z.discriminatedUnion('class_name', [functionalSchema, sequentialSchema]);

const modelJsonSchema = z.object({
  format: z.string().optional(),
  modelTopology: z.union([z.object({ model_config: modelConfigSchema }).transform((t) => t.model_config), modelConfigSchema]),
  weightsManifest: z.array(weightGroupSchema),
});

export type Quantization = z.infer<typeof quantizationSchema>;
export type WeightSpec = z.infer<typeof weightSpecSchema>;
export type WeightGroup = z.infer<typeof weightGroupSchema>;
export type TensorReference = z.infer<typeof tensorReferenceSchema>;
export type KerasLayer = z.infer<typeof layerSchema>;
export type KerasModelConfig = z.infer<typeof modelConfigSchema>;

export interface LayersModelJson {
  model: KerasModelConfig;
  weightsManifest: WeightGroup[];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.') || '(top level)';
  return `'${key}': ${issue.message}`;
}

/** Parse a model.json text; anything that is not a layers model is one error naming the file. */
export function parseModelJson(text: string, file: string): LayersModelJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new EnhanceError(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { file });
  }
  const format = (raw as { format?: unknown } | null)?.format;
  if (format === 'graph-model') {
    throw new EnhanceError("is a TF.js graph model; only layers models (format 'layers-model') can be imported", { file });
  }
  const parsed = modelJsonSchema.safeParse(raw);
  if (!parsed.success) throw new EnhanceError(`is not a TF.js layers model: ${describeIssue(parsed.error.issues[0])}`, { file });
  return { model: parsed.data.modelTopology, weightsManifest: parsed.data.weightsManifest };
}

export async function readModelJson(file: string): Promise<LayersModelJson> {
  return parseModelJson((await readInputFile(file, 'model.json')).toString('utf8'), file);
}
