import './onnxruntimeEnvironment.js'; // the worker inherits the environment it sets
import { Worker } from 'node:worker_threads';
import type { TensorData } from '../graph/tensorData.js';
import type { StateDict } from '../nn/buildContext.js';
import type { SessionOptions } from './session.js';
import type { StepResult } from './trainer.js';
import type { CompiledTrainingStep } from './trainingStep.js';
import { buffersOf, type Envelope, type WorkerReply, type WorkerRequest } from './workerProtocol.js';

// The worker runs compiled JavaScript: from src/ (tests) and from dist/ this is the repository's dist/.
const WORKER_URL = new URL('../../dist/runtime/engineWorker.js', import.meta.url);

/** A worker thread that runs the engine (training or inference) off the caller's event loop. */
export class EngineThread {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }>();

  constructor() {
    this.worker = new Worker(WORKER_URL);
    // An idle worker must not keep the process alive (a cached model session would stop the CLI
    // from exiting); one with a request in flight must.
    this.worker.unref();
    this.worker.on('message', ({ id, message }: Envelope<WorkerReply>) => {
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      if (message.kind === 'error') waiter?.reject(new Error(message.message));
      else waiter?.resolve(message);
    });
    this.worker.on('error', (error) => {
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  request(message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, message } satisfies Envelope<WorkerRequest>, transfer);
    });
  }

  async terminate(): Promise<void> {
    await this.request({ kind: 'release' });
    await this.worker.terminate();
  }

  /** Stop the thread without asking it to release anything (it failed to start its work). */
  async kill(): Promise<void> {
    await this.worker.terminate();
  }
}

function tensorsOf(reply: WorkerReply): Map<string, TensorData> {
  if (reply.kind !== 'tensors') throw new Error(`engine worker: expected tensors, got ${reply.kind}`);
  return new Map(reply.tensors);
}

/**
 * The same interface as `Trainer`, with the session living in a worker thread. Several trainers can
 * share one thread (a GAN's generator and discriminator): then one can feed its current tensors to
 * the other's frozen copy of its network without a copy.
 */
export class ThreadedTrainer {
  private constructor(
    private readonly thread: EngineThread,
    private readonly name: string,
    private readonly ownsThread: boolean,
    private steps: number,
  ) {}

  static async create(
    compiled: CompiledTrainingStep,
    state: StateDict,
    options: SessionOptions & { optimizerState?: ReadonlyMap<string, TensorData>; stepsDone?: number; thread?: EngineThread; name?: string } = {},
  ): Promise<ThreadedTrainer> {
    const { optimizerState, stepsDone, thread: shared, name = 'main', ...sessionOptions } = options;
    const thread = shared ?? new EngineThread();
    await thread.request({
      kind: 'createTrainer',
      name,
      compiled,
      state: [...state],
      optimizerState: optimizerState ? [...optimizerState] : undefined,
      stepsDone,
      options: sessionOptions,
    });
    return new ThreadedTrainer(thread, name, !shared, stepsDone ?? 0);
  }

  get stepsDone(): number {
    return this.steps;
  }

  /** `frozenFrom`: a trainer on the same thread whose network this step uses frozen. */
  async step(data: Readonly<Record<string, TensorData>>, learningRate: number, frozenFrom?: ThreadedTrainer): Promise<StepResult> {
    if (frozenFrom && frozenFrom.thread !== this.thread) throw new Error('ThreadedTrainer.step: a frozen network must live on the same thread');
    const reply = await this.thread.request({ kind: 'step', name: this.name, data: { ...data }, learningRate, frozenFrom: frozenFrom?.name });
    if (reply.kind !== 'step') throw new Error(`engine worker: expected a step result, got ${reply.kind}`);
    this.steps++;
    return reply.result;
  }

  async stateDict(): Promise<StateDict> {
    return tensorsOf(await this.thread.request({ kind: 'stateDict', name: this.name }));
  }

  async optimizerState(): Promise<Map<string, TensorData>> {
    return tensorsOf(await this.thread.request({ kind: 'optimizerState', name: this.name }));
  }

  /** Ends the thread when this trainer created it (a shared thread is ended by its owner). */
  async release(): Promise<void> {
    if (this.ownsThread) await this.thread.terminate();
  }
}

/** An inference session in a worker thread: `run` never blocks the caller's event loop. */
export class ThreadedSession {
  private constructor(
    private readonly thread: EngineThread,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  /** `model`: ONNX bytes, or the path of an ONNX file (onnxruntime then reads its external data beside it). */
  static async create(model: Uint8Array | string, options: SessionOptions = {}): Promise<ThreadedSession> {
    const thread = new EngineThread();
    try {
      const reply = await thread.request({ kind: 'createSession', model, options });
      if (reply.kind !== 'session') throw new Error(`engine worker: expected a session, got ${reply.kind}`);
      return new ThreadedSession(thread, reply.inputNames, reply.outputNames);
    } catch (error) {
      await thread.kill();
      throw error;
    }
  }

  /** Feeds are transferred to the worker (their buffers become unusable here). */
  async run(feeds: Record<string, TensorData>): Promise<Map<string, TensorData>> {
    return tensorsOf(await this.thread.request({ kind: 'run', feeds }, buffersOf(Object.values(feeds))));
  }

  release(): Promise<void> {
    return this.thread.terminate();
  }
}
