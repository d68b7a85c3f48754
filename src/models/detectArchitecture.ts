import { EnhanceError } from '../errors.js';
import type { StateDict } from '../nn/buildContext.js';
import { WEIGHT_LAYOUTS, type ModelSpec } from '../architectures/registry.js';
import { LayoutWeights, type LayoutReading } from '../architectures/weightLayout.js';
import { describeMisfit, weightsMisfit } from './weightsFit.js';

/** A weights file understood: what to build, its weights under our names, and a line for people. */
export interface DetectedModel {
  spec: ModelSpec;
  state: StateDict;
  /** 'ESRGAN RRDBNet (original layout), 23 blocks, 64 features, x4' */
  description: string;
}

const KEYS_SHOWN = 6;

/**
 * Recognise a network from its weights alone, as spandrel does for PyTorch files: the layout from the
 * parameter names, the hyper-parameters and scale from the shapes. `state` is a flat state dict
 * (wrappers such as 'params_ema' and 'module.' prefixes already removed). Every tensor of the file must
 * find its place in the network and every parameter of the network must be in the file, with its
 * shape; otherwise the error names the file's key.
 */
export function detectArchitecture(state: StateDict, file?: string): DetectedModel {
  const weights = withoutBatchNormCounters(state);
  const layout = WEIGHT_LAYOUTS.find((candidate) => candidate.signature.every((key) => weights.has(key)));
  if (!layout) throw unknownLayout(weights, file);
  const reading = layout.read(new LayoutWeights(weights, layout.name, file));
  const description = `${layout.name}, ${reading.details}, x${reading.spec.scale}`;
  const fail = (problem: string): never => {
    throw new EnhanceError(`${problem} (read as ${description})`, { file });
  };
  const renamed = renameWeights(weights, reading, fail);
  checkAgainstNetwork(reading, renamed, fail);
  return { spec: reading.spec, state: renamed, description };
}

/** BatchNorm's step counters (`num_batches_tracked`) play no part in inference. */
function withoutBatchNormCounters(state: StateDict): StateDict {
  return new Map([...state].filter(([key]) => !key.endsWith('.num_batches_tracked')));
}

function unknownLayout(weights: StateDict, file?: string): EnhanceError {
  const keys = [...weights.keys()];
  const more = keys.length > KEYS_SHOWN ? `, ... (${keys.length} in all)` : '';
  const found = keys.length === 0 ? 'it holds no tensors' : `its keys begin ${keys.slice(0, KEYS_SHOWN).join(', ')}${more}`;
  return new EnhanceError(`is not a network enhance recognises: ${found}; tried ${WEIGHT_LAYOUTS.map((l) => l.name).join('; ')}`, { file });
}

function renameWeights(weights: StateDict, reading: LayoutReading, fail: (problem: string) => never): StateDict {
  const renamed: StateDict = new Map();
  for (const [key, tensor] of weights) {
    if (reading.readOnly?.includes(key)) continue;
    const ours = reading.renaming.toOurs(key);
    if (ours === undefined) fail(`'${key}' has no place in the network`);
    if (tensor.dtype !== 'float32') fail(`'${key}' is ${tensor.dtype}, not floating point`);
    renamed.set(ours, tensor);
  }
  return renamed;
}

/** Build the network the reading describes over the renamed tensors: names and shapes must match exactly. */
function checkAgainstNetwork(reading: LayoutReading, renamed: StateDict, fail: (problem: string) => never): void {
  const misfit = weightsMisfit(reading.spec, renamed);
  if (misfit) fail(describeMisfit(misfit, (key) => reading.renaming.toFile(key)));
}
