import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { ImageTensor } from '../image/tensor.js';
import { createSession } from '../runtime/session.js';
import { activationRanges, type CalibrationOptions } from './activationRanges.js';
import { defaultFloatNodes, insertQdq, planQdq } from './qdqGraph.js';

export interface QuantizeOptions extends CalibrationOptions {
  /** Nodes left in float, by name; default: the first and the last conv. */
  keepFloat?: ReadonlySet<string>;
  /** Op types to quantize; default `QUANTIZED_OPS`. */
  ops?: ReadonlySet<string>;
}

/**
 * The model after onnxruntime's basic (portable, standard-op) optimisations: weights computed from
 * other weights (slices, reshapes, transposes) folded into plain initializers and batch norms into convs,
 * so every conv's weight is a tensor the quantizer can read.
 */
export async function foldConstants(model: Uint8Array, threads?: number): Promise<onnxProto.onnx.ModelProto> {
  const dir = await mkdtemp(join(tmpdir(), 'enhance-quantize-'));
  try {
    const file = join(dir, 'folded.onnx');
    const session = await createSession(model, { threads, optimization: 'basic', optimizedModelFile: file });
    await session.release();
    return onnxProto.onnx.ModelProto.decode(await readFile(file));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Quantize a float SR model to int8 in QDQ form: fold, choose the tensors, calibrate their ranges on
 * `crops`, rewrite. The result is a plain ONNX model.
 */
export async function quantizeModel(model: Uint8Array, crops: readonly ImageTensor[], options: QuantizeOptions): Promise<Uint8Array> {
  const folded = await foldConstants(model, options.threads);
  // onnxruntime lists every domain it knows in the saved model; keep the ones the graph uses.
  const used = new Set((folded.graph!.node ?? []).map((n) => n.domain ?? ''));
  folded.opsetImport = folded.opsetImport.filter((o) => used.has(o.domain ?? '') || (o.domain ?? '') === '');
  const plan = planQdq(folded, options.keepFloat ?? defaultFloatNodes(folded), options.ops);
  const ranges = await activationRanges(folded, plan.tensors, crops, options);
  const quantized = insertQdq(folded, plan, ranges);
  quantized.producerName = 'enhance quantize';
  return onnxProto.onnx.ModelProto.encode(quantized).finish();
}
