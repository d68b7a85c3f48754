import { ORT_LOG_SEVERITY_FATAL } from './onnxruntimeEnvironment.js'; // first: before onnxruntime loads
import ort from 'onnxruntime-node';
import { EnhanceError } from '../errors.js';
import type { TensorData } from '../graph/tensorData.js';
import type { DType } from '../graph/value.js';

ort.env.logLevel = 'fatal';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionOptions {
  /** Threads for one op (intra-op). Default: ORT's choice (all cores). */
  threads?: number;
  provider?: ExecutionProvider;
  /** Write ORT's per-kernel profile (a JSON trace) with this file prefix. */
  profilePrefix?: string;
  /**
   * ORT graph optimisation. 'all' adds the NCHWc layout, fastest for inference; training graphs ran
   * 10% faster without it ('extended'), because of the layout conversions around the gradient ops.
   */
  optimization?: 'all' | 'extended' | 'basic';
  /**
   * Whether idle compute threads busy-wait for the next op (onnxruntime's default, a little faster
   * alone). False when other work shares the cores: a training run whose batches are degraded beside
   * the step measured 1.6x the bicubic step time with spinning threads and 1.25x without.
   */
  spinWait?: boolean;
  /** Save the model as optimised (at `optimization`'s level) to this file: the quantizer's folding. */
  optimizedModelFile?: string;
}

/** Compile an ONNX model into an onnxruntime session. */
export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const provider = options.provider ?? 'cpu';
  try {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
      // One node at a time, all threads inside it: the parallel executor measured 2x slower for training.
      interOpNumThreads: 1,
      graphOptimizationLevel: options.optimization ?? 'all',
      logSeverityLevel: ORT_LOG_SEVERITY_FATAL,
      ...(options.spinWait === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      ...(options.optimizedModelFile !== undefined ? { optimizedModelFilePath: options.optimizedModelFile } : {}),
      ...(options.profilePrefix !== undefined ? { enableProfiling: true, profileFilePrefix: options.profilePrefix } : {}),
    };
    return await (typeof model === 'string' ? ort.InferenceSession.create(model, sessionOptions) : ort.InferenceSession.create(model, sessionOptions));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (provider === 'cuda') {
      throw new EnhanceError(
        `the CUDA execution provider is not available (${message.split('\n')[0]}); install onnxruntime-node's CUDA files ` +
          `(npm install onnxruntime-node --onnxruntime-node-install=cuda12 on a machine with CUDA 12) or use the cpu provider`,
      );
    }
    throw error;
  }
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = { float32: 'float32', int64: 'int64', bool: 'bool' };

export function toOrtTensor(tensor: TensorData): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[tensor.dtype], tensor.data, tensor.shape as number[]);
}

export function fromOrtTensor(tensor: ort.Tensor): TensorData {
  const dtype: DType = tensor.type === 'float32' ? 'float32' : tensor.type === 'int64' ? 'int64' : 'bool';
  return { dtype, shape: [...tensor.dims], data: tensor.data as Float32Array | BigInt64Array | Uint8Array };
}

export { ort };
