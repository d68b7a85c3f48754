import { parentPort } from 'node:worker_threads';
import type { TensorData } from '../graph/tensorData.js';
import { createSession, fromOrtTensor, ort, toOrtTensor } from './session.js';
import { Trainer } from './trainer.js';
import { buffersOf, type Envelope, type WorkerReply, type WorkerRequest } from './workerProtocol.js';

/**
 * The engine's worker thread: it owns its trainers (one, or a GAN's generator and discriminator, which
 * feed each other's tensors without copies) or one inference session, so onnxruntime's blocking runs
 * never stall the caller's event loop. Parameters stay here between steps; only batches and results
 * cross threads.
 */
const trainers = new Map<string, Trainer>();
let session: ort.InferenceSession | undefined;

function trainerNamed(name: string): Trainer {
  const trainer = trainers.get(name);
  if (!trainer) throw new Error(`no trainer '${name}' in this worker`);
  return trainer;
}

async function handle(message: WorkerRequest): Promise<[WorkerReply, ArrayBuffer[]]> {
  switch (message.kind) {
    case 'createTrainer':
      trainers.set(
        message.name,
        await Trainer.create(message.compiled, new Map(message.state), {
          ...message.options,
          optimizerState: message.optimizerState ? new Map(message.optimizerState) : undefined,
          stepsDone: message.stepsDone,
        }),
      );
      return [{ kind: 'ok' }, []];
    case 'step': {
      const frozen = message.frozenFrom === undefined ? undefined : trainerNamed(message.frozenFrom).tensorMap();
      return [{ kind: 'step', result: await trainerNamed(message.name).step(message.data, message.learningRate, frozen) }, []];
    }
    case 'stateDict':
    case 'optimizerState': {
      const trainer = trainerNamed(message.name);
      const tensors = [...(message.kind === 'stateDict' ? trainer.stateDict() : trainer.optimizerState())];
      return [{ kind: 'tensors', tensors }, []];
    }
    case 'createSession':
      session = await createSession(message.model, message.options);
      return [{ kind: 'session', inputNames: [...session.inputNames], outputNames: [...session.outputNames] }, []];
    case 'run': {
      if (!session) throw new Error('no session in this worker');
      const feeds = Object.fromEntries(Object.entries(message.feeds).map(([name, t]) => [name, toOrtTensor(t)]));
      const results = await session.run(feeds);
      const tensors: [string, TensorData][] = Object.entries(results).map(([name, t]) => [name, fromOrtTensor(t)]);
      return [{ kind: 'tensors', tensors }, buffersOf(tensors.map(([, t]) => t))];
    }
    case 'release':
      for (const trainer of trainers.values()) await trainer.release();
      await session?.release();
      trainers.clear();
      session = undefined;
      return [{ kind: 'ok' }, []];
  }
}

parentPort!.on('message', async ({ id, message }: Envelope<WorkerRequest>) => {
  try {
    const [reply, transfer] = await handle(message);
    parentPort!.postMessage({ id, message: reply } satisfies Envelope<WorkerReply>, transfer);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    parentPort!.postMessage({ id, message: { kind: 'error', message: text } } satisfies Envelope<WorkerReply>);
  }
});
