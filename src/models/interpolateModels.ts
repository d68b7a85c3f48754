import { EnhanceError } from '../errors.js';
import { float32Tensor } from '../graph/tensorData.js';
import type { StateDict } from '../nn/buildContext.js';
import type { ModelSpec } from '../architectures/registry.js';
import type { ModelSource } from './modelSource.js';

/**
 * Network interpolation (ESRGAN, Wang et al. 2018, section 3.4): every parameter becomes
 * (1 - alpha) * a + alpha * b, for two models of the same architecture and size, typically a
 * PSNR-oriented model (a) and its GAN fine-tune (b). alpha trades fidelity for texture without the
 * artefacts of blending the output pictures.
 */
export function interpolateModels(a: ModelSource, b: ModelSource, alpha: number, files: [string, string]): { spec: ModelSpec; state: StateDict } {
  for (const [source, file] of [[a, files[0]], [b, files[1]]] as const) {
    if (source.kind !== 'network') throw new EnhanceError('is a graph-only model (ONNX, ncnn or TF.js): interpolation needs the weights of a known architecture', { file });
  }
  if (a.kind !== 'network' || b.kind !== 'network') throw new Error('unreachable');
  const describe = (spec: ModelSpec) => `${spec.arch} x${spec.scale} ${JSON.stringify(spec.options)}`;
  if (describe(a.spec) !== describe(b.spec)) {
    throw new EnhanceError(`is a ${describe(b.spec)}, but ${files[0]} is a ${describe(a.spec)}: only models of the same architecture and size interpolate`, { file: files[1] });
  }
  const state: StateDict = new Map();
  for (const [name, ta] of a.state) {
    const tb = b.state.get(name);
    if (!tb || tb.shape.join('x') !== ta.shape.join('x')) throw new EnhanceError(`has no parameter '${name}' of shape [${ta.shape.join(', ')}]`, { file: files[1] });
    if (ta.dtype !== 'float32') {
      state.set(name, ta); // counters such as BatchNorm's num_batches_tracked
      continue;
    }
    const da = ta.data as Float32Array;
    const db = tb.data as Float32Array;
    state.set(name, float32Tensor(Float32Array.from(da, (v, i) => (1 - alpha) * v + alpha * db[i]), ta.shape));
  }
  return { spec: a.spec, state };
}
