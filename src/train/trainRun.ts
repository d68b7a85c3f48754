import { basename, dirname } from 'node:path';
import { existsSync } from 'node:fs';
import { saveModel } from '../models/modelFile.js';
import { runPaths } from '../runs/runFolderFormat.js';
import { BatchesAhead } from './batchesAhead.js';
import { GanProcedure } from './ganProcedure.js';
import { learningRateAt } from './learningRate.js';
import { LossAverages } from './lossAverages.js';
import { PlainProcedure } from './plainProcedure.js';
import { prepareRun, type PreparedRun } from './prepareRun.js';
import { RunFolder } from './runFolder.js';
import { RunRecord } from './runRecord.js';
import type { TrainConfig } from './trainConfig.js';
import type { TrainingEvent } from './trainingEvents.js';
import type { TrainingProcedure } from './trainingProcedure.js';
import { validate, type Validation } from './validation.js';

export interface TrainOptions {
  outDir: string;
  resume: boolean;
  /** Stops the run after the current step; a checkpoint is written first (Ctrl-C). */
  signal?: AbortSignal;
  /** Hears how the run goes (see `TrainingEvent`): the library prints nothing itself. */
  onEvent?: (event: TrainingEvent) => void;
}

export interface TrainResult {
  steps: number;
  modelPath: string;
  lastValidation?: Validation;
  interrupted: boolean;
}

/**
 * Train an SR network from a config: random patches of LR/HR pairs, one ORT run per step in a worker
 * thread (the next batch is cut while the step runs), validation with PSNR-Y/SSIM-Y and a sample grid,
 * a JSONL log, a plot, atomic checkpoints, exact resume.
 *
 * The run folder is made only once the config, the pictures and the starting weights have been
 * checked, and a run that fails before its first checkpoint removes what it made: a failed start
 * leaves nothing that looks like a run.
 */
export async function runTraining(config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const prepared = await prepareRun(config, options);
  const folder = await RunFolder.prepare(options.outDir);
  const stops: Stop[] = [() => prepared.sampler.close()];
  try {
    return await trainInFolder(config, options, prepared, folder, stops);
  } catch (error) {
    await stopAll(stops); // the worker first: nothing may still write into the folder
    if (!existsSync(runPaths(options.outDir).checkpoint)) await folder.removeWhatWasMade();
    throw error;
  } finally {
    await stopAll(stops); // after a success; a failure stopped them already
  }
}

/** Ends something a run started (the batch source, the worker thread), whether the run ends or fails. */
type Stop = () => void | Promise<void>;

async function stopAll(stops: Stop[]): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop();
}

async function trainInFolder(config: TrainConfig, options: TrainOptions, prepared: PreparedRun, folder: RunFolder, stops: Stop[]): Promise<TrainResult> {
  const { spec, start } = prepared;
  const paths = runPaths(options.outDir);
  const emit = options.onEvent ?? (() => {});
  const repairs = [...start.repairs];
  const stale = await folder.removeTemporariesOfKilledRuns();
  if (stale > 0) repairs.push(`removed ${stale} unfinished temporary file${stale > 1 ? 's' : ''} of a killed run`);
  if (repairs.length > 0) emit({ kind: 'repaired', what: repairs });
  const record = await RunRecord.begin(paths, config, start.log);
  const procedure: TrainingProcedure = config.gan ? await GanProcedure.start(config, spec, prepared.terms, start) : await PlainProcedure.start(config, spec, prepared.terms, start);
  stops.push(() => procedure.release());

  const validateAt = async (step: number): Promise<Validation | undefined> => {
    if (prepared.validation.pairs.length === 0) return undefined;
    const { scores, grid } = await validate(spec, await procedure.modelWeights(), prepared.validation, { step, threads: config.threads });
    await record.writeSample(step, grid);
    await record.append({ step, val: scores });
    emit({ kind: 'validation', step, scores });
    return scores;
  };
  const started = Date.now();
  const seconds = () => start.secondsBefore + (Date.now() - started) / 1000;
  const isDue = (done: number, every: number) => done % every === 0 || done === config.steps;

  let done = start.stepsDone;
  emit({ kind: 'start', step: done, steps: config.steps, psnrY: record.log.findLast((line) => line.val)?.val?.psnrY });
  const batches = new BatchesAhead(prepared.sampler, procedure.batchesPerStep);
  const averages = new LossAverages();
  let lastValidation: Validation | undefined;
  let interrupted = false;
  while (done < config.steps) {
    const step = done;
    const result = await batches.train((cut) => procedure.step(cut, step));
    done = step + 1;
    emit({ kind: 'step', step: done, loss: result.loss });
    averages.add(result);
    if (isDue(done, config.log_every)) {
      const line = averages.take(done, learningRateAt(config, step), Math.round(seconds()));
      await record.append(line);
      emit({ kind: 'log', line });
    }
    if (isDue(done, config.val_every)) {
      lastValidation = await validateAt(done);
      await record.writePlot();
    }
    const stopping = options.signal?.aborted ?? false;
    if (isDue(done, config.checkpoint_every) || stopping) await procedure.save(paths.checkpoint, batches.checkpointState, seconds());
    if (stopping && done < config.steps) {
      interrupted = true;
      break;
    }
  }
  await saveModel(paths.model, spec, await procedure.modelWeights(), trainingInfo(done, seconds(), lastValidation, validationSetName(config.data)));
  await record.writePlot();
  return { steps: done, modelPath: paths.model, lastValidation, interrupted };
}

/**
 * The validation set as `enhance models` names it: the folder above the HR folder (`Set5/hr` -> 'Set5'),
 * marked real-world when its LR was made by `enhance degrade`; names only, never a path of this machine.
 */
function validationSetName(data: { val?: string | null; val_lr?: string | null }): string | undefined {
  if (!data.val) return undefined;
  const hr = basename(data.val) === 'hr' ? basename(dirname(data.val)) : basename(data.val);
  return data.val_lr ? `${hr} (LR ${basename(data.val_lr)})` : hr;
}

/** What a model file tells of the training that made it: steps, seconds and the last validation's scores. */
function trainingInfo(steps: number, seconds: number, validation: Validation | undefined, validationSet: string | undefined): Record<string, string> {
  return {
    steps: String(steps),
    seconds: String(Math.round(seconds)),
    ...(validation && validationSet ? { 'val.set': validationSet } : {}),
    ...(validation ? { 'val.psnrY': validation.psnrY.toFixed(3), 'val.ssimY': validation.ssimY.toFixed(4) } : {}),
    ...(validation?.niqe !== undefined ? { 'val.niqe': validation.niqe.toFixed(4) } : {}),
  };
}
