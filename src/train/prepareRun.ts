import { existsSync } from 'node:fs';
import { PatchSampler } from '../data/patchSampler.js';
import { bicubicBatches, degradedBatches, type BatchSource } from '../data/batchSource.js';
import { loadSrPairs, type SrPair } from '../data/srPairs.js';
import { loadTrainingSet } from '../data/trainingSet.js';
import { unsharpMask } from '../degradation/unsharpMask.js';
import { EnhanceError } from '../errors.js';
import { loadMetricModels, type SrMetricName } from '../metrics/srMetrics.js';
import type { ModelSpec } from '../architectures/registry.js';
import { loadModel } from '../models/modelFile.js';
import { readLogUpToStep, RUN_FILES, runPaths, type RunPaths, type TrainLogLine } from '../runs/runFolderFormat.js';
import { readCheckpoint } from './checkpoint.js';
import { modelSpecOf } from './configParts.js';
import { contentLossTerms, type LossTerm } from './generatorLoss.js';
import { checkResumedNetwork } from './resumedModel.js';
import type { TrainConfig } from './trainConfig.js';
import type { ProcedureStart } from './trainingProcedure.js';
import type { ValidationSet } from './validation.js';

/** Where a run starts: afresh (step 0, maybe `init_from`'s weights) or from its checkpoint. */
export interface StartingPoint extends ProcedureStart {
  secondsBefore: number;
  /** The log so far, cut back to the checkpoint. */
  log: TrainLogLine[];
  /** What resuming found broken and mended, for the user to hear of. */
  repairs: string[];
}

/** Everything a run takes from the user's files, loaded and checked before the run folder is touched. */
export interface PreparedRun {
  spec: ModelSpec;
  sampler: BatchSource;
  validation: ValidationSet;
  terms: LossTerm[];
  start: StartingPoint;
}

/**
 * Check and load what the run needs, in the order a mistake is cheapest to report: the run folder's
 * state, the network on resume, the training and validation pictures, the starting weights, the loss
 * networks. Nothing is written.
 */
export async function prepareRun(config: TrainConfig, options: { outDir: string; resume: boolean }): Promise<PreparedRun> {
  const paths = runPaths(options.outDir);
  const hasCheckpoint = existsSync(paths.checkpoint);
  if (!options.resume && hasCheckpoint) {
    throw new EnhanceError('already holds a run: use --resume to continue it, or another --out', { file: options.outDir });
  }
  if (hasCheckpoint) await checkResumedNetwork(paths.config, config);

  const spec = modelSpecOf(config);
  const sampler = await trainingBatches(config);
  const pairs: SrPair[] = [];
  if (config.data.val) for await (const pair of loadSrPairs({ hr: config.data.val, lr: config.data.val_lr ?? undefined, scale: config.scale })) pairs.push(pair);

  const start = hasCheckpoint ? await startFromCheckpoint(paths, sampler) : freshStart();
  if (start.stepsDone === 0 && config.init_from) await startFromModel(config.init_from, spec, start);
  const terms = await contentLossTerms(config);
  // GAN and real-world runs are also judged by NIQE (lower: more natural texture), which PSNR does not see.
  const metrics: SrMetricName[] = config.gan || config.degradation ? ['psnr', 'ssim', 'niqe'] : ['psnr', 'ssim'];
  const validation: ValidationSet = { pairs, metrics, models: await loadMetricModels(metrics) };
  return { spec, sampler, validation, terms, start };
}

/** Random patches of the training pictures, their LR made by the MATLAB bicubic or the config's real-world degradations. */
async function trainingBatches(config: TrainConfig): Promise<BatchSource> {
  const loaded = await loadTrainingSet(config.data.train, { scale: config.scale, lrPatch: config.data.lr_patch, lrPatchSetting: 'data.lr_patch' });
  // Real-ESRNet degrades from and learns to give back the sharpened ground truth.
  const sharpen = config.degradation?.sharpen_ground_truth;
  const images = sharpen ? loaded.map((image) => ({ ...image, hr: unsharpMask(image.hr, sharpen) })) : loaded;
  const patches = new PatchSampler(images, {
    scale: config.scale,
    lrPatch: config.data.lr_patch,
    batch: config.data.batch,
    patchesPerImage: config.data.patches_per_image,
    augment: config.data.augment,
    seed: config.seed,
  });
  return config.degradation ? degradedBatches(patches, config.scale, config.degradation) : bicubicBatches(patches);
}

function freshStart(): StartingPoint {
  return { generator: { state: new Map() }, discriminator: { state: new Map() }, stepsDone: 0, secondsBefore: 0, log: [], repairs: [] };
}

/** The checkpoint's tensors and position (the batch source is put back where it stood), and the log up to its step. */
async function startFromCheckpoint(paths: RunPaths, sampler: BatchSource): Promise<StartingPoint> {
  const { generator, discriminator, position } = await readCheckpoint(paths.checkpoint);
  sampler.restore(position.samplerState);
  // A torn last line (a full disk, SIGKILL) and the lines of steps after the checkpoint are dropped:
  // the resumed run trains and logs those steps again.
  const log = await readLogUpToStep(paths.log, position.step);
  const repairs = log.cutBack ? [`${RUN_FILES.log} cut back to the checkpoint's step ${position.step}`] : [];
  return { generator, discriminator, stepsDone: position.step, secondsBefore: position.seconds, log: log.lines, repairs };
}

/** `init_from`: a fresh run starts from a model file's weights, which must be of the network it trains. */
async function startFromModel(path: string, spec: ModelSpec, start: StartingPoint): Promise<void> {
  const initial = await loadModel(path);
  if (initial.spec.arch !== spec.arch || initial.spec.scale !== spec.scale) {
    throw new EnhanceError(`is a x${initial.spec.scale} ${initial.spec.arch} model; the config trains a x${spec.scale} ${spec.arch}`, { file: path });
  }
  for (const [name, tensor] of initial.state) start.generator.state.set(name, tensor);
}
