/**
 * A run's checkpoint: one safetensors file with every tensor training needs to go on (parameters,
 * buffers, optimizer slots and EMA; a GAN's discriminator under 'discriminator.') and the run's position
 * in its metadata (`step`, `sampler`, `seconds`), so `--resume` continues with the same batches and
 * ends with the same weights as an uninterrupted run.
 */
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import type { PatchSamplerState } from '../data/patchSampler.js';
import type { TensorData } from '../graph/tensorData.js';
import type { StateDict } from '../nn/buildContext.js';
import type { ThreadedTrainer } from '../runtime/engineThread.js';

/** The tensors of one trainer: its network's parameters and buffers, and its optimizer's slots (EMA included). */
export interface TrainerTensors {
  state: StateDict;
  optimizerState: Map<string, TensorData>;
}

/** Where a run stands: steps done, the batch source's state for the next step, seconds trained. */
export interface RunPosition {
  step: number;
  samplerState: PatchSamplerState;
  seconds: number;
}

export interface Checkpoint {
  generator: TrainerTensors;
  /** Empty for a run without a discriminator. */
  discriminator: TrainerTensors;
  position: RunPosition;
}

const DISCRIMINATOR_PREFIX = 'discriminator.';

/** Optimizer slots are named after the optimizer (`adam.m.<param>`) or `ema.<param>`. */
const isOptimizerSlot = (name: string) => /^(adam|adamw|sgd|ema)\./.test(name);

export async function tensorsOf(trainer: ThreadedTrainer): Promise<TrainerTensors> {
  return { state: await trainer.stateDict(), optimizerState: await trainer.optimizerState() };
}

export async function saveCheckpoint(path: string, networks: { generator: TrainerTensors; discriminator?: TrainerTensors }, position: RunPosition): Promise<void> {
  const { generator, discriminator } = networks;
  const tensors = new Map<string, TensorData>([...generator.state, ...generator.optimizerState]);
  if (discriminator) for (const [name, tensor] of [...discriminator.state, ...discriminator.optimizerState]) tensors.set(DISCRIMINATOR_PREFIX + name, tensor);
  await writeSafetensors(path, tensors, { step: String(position.step), sampler: JSON.stringify(position.samplerState), seconds: String(position.seconds) });
}

export async function readCheckpoint(path: string): Promise<Checkpoint> {
  const checkpoint = await readSafetensors(path);
  const generator: TrainerTensors = { state: new Map(), optimizerState: new Map() };
  const discriminator: TrainerTensors = { state: new Map(), optimizerState: new Map() };
  for (const [name, tensor] of checkpoint.tensors) {
    const ofDiscriminator = name.startsWith(DISCRIMINATOR_PREFIX);
    const owner = ofDiscriminator ? discriminator : generator;
    const bare = ofDiscriminator ? name.slice(DISCRIMINATOR_PREFIX.length) : name;
    (isOptimizerSlot(bare) ? owner.optimizerState : owner.state).set(bare, tensor);
  }
  const { metadata } = checkpoint;
  const position: RunPosition = { step: Number(metadata.step), samplerState: JSON.parse(metadata.sampler) as PatchSamplerState, seconds: Number(metadata.seconds ?? 0) };
  return { generator, discriminator, position };
}

/** The weights a model file gets: the EMA of each parameter that has one (`ema` maps parameter to slot), else the parameter. */
export function weightsForModel(state: StateDict, slots: ReadonlyMap<string, TensorData>, ema: Readonly<Record<string, string>>): StateDict {
  const out = new Map(state);
  for (const [param, slot] of Object.entries(ema)) out.set(param, slots.get(slot)!);
  return out;
}
