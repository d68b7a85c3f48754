/** A float32 tensor as a runtime takes and gives it: the values and their dims (NCHW for pictures). */
export interface FloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * The little of an ONNX inference session a `ModelRunner` needs, so that one runner serves both
 * runtimes: onnxruntime-node in a worker thread (`threadedBackend.ts`) and onnxruntime-web in the
 * page's worker (`web/src/ortWebBackend.ts`).
 */
export interface InferenceBackend {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** One run; resolves to the first output. The feeds' buffers may be transferred (unusable after). */
  run(feeds: Readonly<Record<string, FloatTensor>>): Promise<FloatTensor>;
  /**
   * Working memory of one run per input pixel, measured, where the runtime can measure it (Node: the
   * process's resident memory); it sizes 'auto' tiles for models whose graphs we cannot read.
   */
  measureBytesPerPixel?(): Promise<number>;
  release(): Promise<void>;
}

/** Opens a backend on an ONNX model: its bytes, or (Node) the path of its file, whose external data lies beside it. */
export type OpenInferenceBackend = (model: Uint8Array | string) => Promise<InferenceBackend>;
