import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { PatchSampler, type PatchSamplerState } from '../data/patchSampler.js';
import { bicubicBatches, degradedBatches, type BatchSource } from '../data/batchSource.js';
import { loadSrPairs, type SrPair } from '../data/srPairs.js';
import { loadTrainingSet } from '../data/trainingSet.js';
import { unsharpMask } from '../degradation/unsharpMask.js';
import { EnhanceError } from '../errors.js';
import { renderComparisonGrid, type GridRow } from '../evaluate/comparisonGrid.js';
import type { TensorData } from '../graph/tensorData.js';
import { removeStaleTemporaries, writeBufferAtomic } from '../io/atomicWrite.js';
import { weightedSum } from '../losses/structuralLosses.js';
import { loadMetricModels, measureSr, type MetricModels, type SrMetricName } from '../metrics/srMetrics.js';
import { buildNetwork, type ModelSpec } from '../models/architectures.js';
import { loadModel, saveModel } from '../models/modelFile.js';
import type { StateDict } from '../nn/buildContext.js';
import { adam, adamw } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { sgd } from '../optim/sgd.js';
import { EngineThread, ThreadedTrainer } from '../runtime/engineThread.js';
import { Random } from '../nn/random.js';
import { contentLossTerms, type LossTerm } from './generatorLoss.js';
import { compileGanSteps } from './ganSteps.js';
import { compileTrainingStep } from '../runtime/trainingStep.js';
import { ModelRunner } from '../upscale/modelUpscale.js';
import { resizeImage } from '../resize/resizeImage.js';
import { learningRateAt } from './learningRate.js';
import { checkResumedNetwork } from './resumedModel.js';
import { RunFolder } from './runFolder.js';
import type { TrainConfig } from './trainConfig.js';
import { formatLogLine, logUpToStep, type LogLine, type Validation } from './trainingLog.js';
import { renderCharts, renderTrainingPlot, type Chart } from './trainingPlot.js';

export interface TrainOptions {
  outDir: string;
  resume: boolean;
  /** Stops the run after the current step; a checkpoint is written first (Ctrl-C). */
  signal?: AbortSignal;
  /** Where progress goes (default stderr); a bar on a terminal, plain lines otherwise. */
  stream?: NodeJS.WriteStream;
  /** Called after every step with the number of steps done. */
  onStep?: (step: number) => void;
}

export interface TrainResult {
  steps: number;
  modelPath: string;
  lastValidation?: { psnrY: number; ssimY: number; niqe?: number };
  interrupted: boolean;
}

type Batch = Record<string, TensorData>;

export function optimizerOf(o: TrainConfig['optimizer']): Optimizer {
  if (o.type === 'sgd') return sgd({ momentum: o.momentum, weightDecay: o.weight_decay });
  const options = { beta1: o.betas[0], beta2: o.betas[1], weightDecay: o.weight_decay };
  return o.type === 'adam' ? adam(options) : adamw(options);
}

export function modelSpecOf(config: TrainConfig): ModelSpec {
  return { arch: config.model.arch, scale: config.scale, options: config.model.options };
}

/** Checkpoint names of the discriminator's tensors (parameters, buffers and optimizer slots). */
const DISCRIMINATOR_PREFIX = 'discriminator.';
const isOptimizerSlot = (name: string) => /^(adam|adamw|sgd|ema)\./.test(name);

/**
 * Checkpoint = weights, buffers and optimizer slots (the discriminator's under 'discriminator.'), plus
 * the run's position in metadata.
 */
async function saveCheckpoint(path: string, trainer: ThreadedTrainer, critic: ThreadedTrainer | undefined, samplerState: PatchSamplerState, seconds: number): Promise<void> {
  const tensors = new Map<string, TensorData>([...(await trainer.stateDict()), ...(await trainer.optimizerState())]);
  if (critic) for (const [name, tensor] of [...(await critic.stateDict()), ...(await critic.optimizerState())]) tensors.set(DISCRIMINATOR_PREFIX + name, tensor);
  await writeSafetensors(path, tensors, { step: String(trainer.stepsDone), sampler: JSON.stringify(samplerState), seconds: String(seconds) });
}

function weightsForModel(state: StateDict, slots: Map<string, TensorData>, ema: Record<string, string>): StateDict {
  const out = new Map(state);
  for (const [param, slot] of Object.entries(ema)) out.set(param, slots.get(slot)!);
  return out;
}

/** Where a run keeps its files. */
function runPaths(out: string) {
  return { checkpoint: join(out, 'checkpoint.safetensors'), log: join(out, 'log.jsonl'), config: join(out, 'config.json'), samples: join(out, 'samples') };
}

/** The state a run starts from: fresh (step 0, maybe `init_from`'s weights) or a checkpoint's. */
interface StartingPoint {
  state: StateDict;
  criticState: StateDict;
  optimizerState?: Map<string, TensorData>;
  criticOptimizerState?: Map<string, TensorData>;
  stepsDone: number;
  secondsBefore: number;
  log: LogLine[];
  /** What resuming found broken and mended, for one line to the user. */
  repairs: string[];
}

/** Everything a run takes from the user's files, loaded and checked before the run folder is touched. */
interface PreparedRun {
  spec: ModelSpec;
  sampler: BatchSource;
  validationPairs: SrPair[];
  terms: LossTerm[];
  validationMetrics: SrMetricName[];
  metricModels: MetricModels;
  start: StartingPoint;
}

async function startFromCheckpoint(paths: ReturnType<typeof runPaths>, sampler: BatchSource): Promise<StartingPoint> {
  const checkpoint = await readSafetensors(paths.checkpoint);
  const stepsDone = Number(checkpoint.metadata.step);
  sampler.restore(JSON.parse(checkpoint.metadata.sampler) as PatchSamplerState);
  const state: StateDict = new Map();
  const criticState: StateDict = new Map();
  const optimizerState = new Map<string, TensorData>();
  const criticOptimizerState = new Map<string, TensorData>();
  for (const [name, tensor] of checkpoint.tensors) {
    const critic = name.startsWith(DISCRIMINATOR_PREFIX);
    const bare = critic ? name.slice(DISCRIMINATOR_PREFIX.length) : name;
    if (isOptimizerSlot(bare)) (critic ? criticOptimizerState : optimizerState).set(bare, tensor);
    else (critic ? criticState : state).set(bare, tensor);
  }
  let log: LogLine[] = [];
  const repairs: string[] = [];
  if (existsSync(paths.log)) {
    // A torn last line (a full disk, SIGKILL) and the lines of steps after the checkpoint are dropped:
    // the resumed run trains and logs those steps again.
    const text = await readFile(paths.log, 'utf8');
    log = logUpToStep(text, stepsDone);
    if (log.map(formatLogLine).join('') !== text) repairs.push(`log.jsonl cut back to the checkpoint's step ${stepsDone}`);
  }
  return { state, criticState, optimizerState, criticOptimizerState, stepsDone, secondsBefore: Number(checkpoint.metadata.seconds ?? 0), log, repairs };
}

/**
 * Check and load what the run needs, in the order a mistake is cheapest to report: the run folder's
 * state, the network on resume, the training and validation pictures, the starting weights, the loss
 * networks. Nothing is written.
 */
async function prepareRun(config: TrainConfig, options: TrainOptions): Promise<PreparedRun> {
  const paths = runPaths(options.outDir);
  const hasCheckpoint = existsSync(paths.checkpoint);
  if (!options.resume && hasCheckpoint) {
    throw new EnhanceError('already holds a run: use --resume to continue it, or another --out', { file: options.outDir });
  }
  if (hasCheckpoint) await checkResumedNetwork(paths.config, config);

  const spec = modelSpecOf(config);
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
  const sampler = config.degradation ? degradedBatches(patches, config.scale, config.degradation) : bicubicBatches(patches);
  const validationPairs: SrPair[] = [];
  if (config.data.val) for await (const pair of loadSrPairs({ hr: config.data.val, lr: config.data.val_lr ?? undefined, scale: config.scale })) validationPairs.push(pair);

  const start: StartingPoint = hasCheckpoint
    ? await startFromCheckpoint(paths, sampler)
    : { state: new Map(), criticState: new Map(), stepsDone: 0, secondsBefore: 0, log: [], repairs: [] };
  if (start.stepsDone === 0 && config.init_from) {
    const initial = await loadModel(config.init_from);
    if (initial.spec.arch !== spec.arch || initial.spec.scale !== spec.scale) {
      throw new EnhanceError(`is a x${initial.spec.scale} ${initial.spec.arch} model; the config trains a x${spec.scale} ${spec.arch}`, { file: config.init_from });
    }
    for (const [name, tensor] of initial.state) start.state.set(name, tensor);
  }
  const terms = await contentLossTerms(config);
  // GAN runs are also judged by NIQE (lower: more natural texture), which PSNR does not see.
  const validationMetrics: SrMetricName[] = config.gan || config.degradation ? ['psnr', 'ssim', 'niqe'] : ['psnr', 'ssim'];
  const metricModels = await loadMetricModels(validationMetrics);
  return { spec, sampler, validationPairs, terms, validationMetrics, metricModels, start };
}

/**
 * The loss of a step that is not a number: the step at which it happened and the learning rate to
 * lower (the discriminator's when only its loss diverged).
 */
function divergence(config: TrainConfig, step: number, loss: number, criticLoss: number | undefined): EnhanceError | undefined {
  if (!Number.isFinite(loss)) {
    return new EnhanceError(`training diverged at step ${step}: the loss is ${loss}; try a lower 'optimizer.lr' (now ${config.optimizer.lr})`);
  }
  if (config.gan && criticLoss !== undefined && !Number.isFinite(criticLoss)) {
    return new EnhanceError(`training diverged at step ${step}: the discriminator's loss is ${criticLoss}; try a lower 'gan.optimizer.lr' (now ${config.gan.optimizer.lr})`);
  }
  return undefined;
}

/**
 * Train an SR network from a config: random patches of MATLAB-bicubic LR/HR pairs, one ORT run per
 * step in a worker thread (the next batch is cut while the step runs), validation with PSNR-Y/SSIM-Y
 * and a sample grid, a JSONL log, a plot, atomic checkpoints, exact resume.
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
    return await trainInFolder(config, options, prepared, stops);
  } catch (error) {
    await stopAll(stops); // the worker first: nothing may still write into the folder
    if (!existsSync(runPaths(options.outDir).checkpoint)) await folder.removeWhatWasMade();
    throw error;
  } finally {
    await stopAll(stops); // after a success; a failure stopped them already
  }
}

/** Ends something a run started (the worker thread, the progress bar), whether the run ends or fails. */
type Stop = () => void | Promise<void>;

async function stopAll(stops: Stop[]): Promise<void> {
  for (const stop of stops.splice(0).reverse()) await stop();
}

async function trainInFolder(config: TrainConfig, options: TrainOptions, prepared: PreparedRun, stops: Stop[]): Promise<TrainResult> {
  const out = options.outDir;
  const paths = runPaths(out);
  const checkpointPath = paths.checkpoint;
  const logPath = paths.log;
  const { spec, sampler, validationPairs, terms, validationMetrics, metricModels } = prepared;
  const { state, criticState, optimizerState, criticOptimizerState, stepsDone } = prepared.start;
  const secondsBefore = prepared.start.secondsBefore;
  const log = prepared.start.log;
  const stream = options.stream ?? process.stderr;
  // Checkpoints and sample grids a killed run was writing when it died (each can be hundreds of MB).
  const stale = [...(await removeStaleTemporaries(out)), ...(await removeStaleTemporaries(paths.samples))];
  const repairs = [...prepared.start.repairs];
  if (stale.length > 0) repairs.push(`removed ${stale.length} unfinished temporary file${stale.length > 1 ? 's' : ''} of a killed run`);
  if (repairs.length > 0) stream.write(`${config.name}: ${repairs.join('; ')}\n`);
  await writeBufferAtomic(logPath, log.map(formatLogLine).join(''));
  await writeBufferAtomic(paths.config, JSON.stringify(config, null, 2) + '\n');

  const lrShape = [config.data.batch, 3, config.data.lr_patch, config.data.lr_patch];
  const hrShape = [config.data.batch, 3, config.data.lr_patch * config.scale, config.data.lr_patch * config.scale];
  let trainer: ThreadedTrainer;
  let critic: ThreadedTrainer | undefined;
  let compiledEma: Record<string, string>;
  let needsEpsilon = false;
  if (config.gan) {
    // Generator and discriminator share a worker thread: each step feeds the other's current tensors without copies.
    const steps = compileGanSteps(config, spec, { generator: state, discriminator: criticState }, terms, {
      generator: optimizerOf(config.optimizer),
      discriminator: optimizerOf(config.gan.optimizer),
    });
    const thread = new EngineThread();
    stops.push(() => thread.terminate());
    trainer = await ThreadedTrainer.create(steps.generator, state, { threads: config.threads, spinWait: !config.degradation, optimizerState, stepsDone, thread, name: 'generator' });
    // The discriminator takes critic_steps steps per generator step: its own count drives its Adam bias correction.
    const criticSteps = stepsDone * config.gan.critic_steps;
    critic = await ThreadedTrainer.create(steps.discriminator, criticState, { threads: config.threads, spinWait: !config.degradation, optimizerState: criticOptimizerState, stepsDone: criticSteps, thread, name: 'discriminator' });
    compiledEma = steps.generator.ema;
    needsEpsilon = steps.needsEpsilon;
  } else {
    const compiled = compileTrainingStep({
      build: (ctx) => {
        const lr = ctx.graph.input('lr', 'float32', lrShape);
        const hr = ctx.graph.input('hr', 'float32', hrShape);
        const sr = buildNetwork(spec, ctx, lr);
        const values = terms.map((t) => ({ name: t.name, weight: t.weight, value: t.build(sr, hr) }));
        // Each term is logged on its own when there are several.
        const metrics = values.length > 1 ? Object.fromEntries(values.map((t) => [t.name, t.value])) : undefined;
        return { data: [lr, hr], loss: weightedSum(values), metrics };
      },
      optimizer: optimizerOf(config.optimizer),
      state,
      clipGradNorm: config.clip_grad_norm,
      ema: config.ema,
      seed: config.seed,
    });
    trainer = await ThreadedTrainer.create(compiled, state, { threads: config.threads, spinWait: !config.degradation, optimizerState, stepsDone });
    compiledEma = compiled.ema;
    stops.push(() => trainer.release());
  }

  /**
   * One training step: for a GAN, `critic_steps` discriminator steps (each on its own batch; only them
   * during the first `pretrain_steps`), then one generator step on the last batch.
   */
  const trainStep = async (batches: Batch[], step: number): Promise<{ loss: number; metrics: Record<string, number> }> => {
    const learningRate = learningRateAt(config, step);
    if (!critic || !config.gan) return trainer.step(batches[0], learningRate);
    const criticRate = learningRateAt({ ...config.gan, steps: config.steps }, step);
    const metrics: Record<string, number> = {};
    let criticLoss = 0;
    for (const [k, batch] of batches.entries()) {
      const data: Record<string, TensorData> = { ...batch };
      if (needsEpsilon) {
        // Drawn from the step number, so a resumed run draws what an uninterrupted one would.
        const random = new Random(config.seed * 1_000_003 + step * 64 + k);
        data.epsilon = { dtype: 'float32', shape: [config.data.batch, 1, 1, 1], data: Float32Array.from({ length: config.data.batch }, () => random.uniform(0, 1)) };
      }
      const result = await critic.step(data, criticRate, trainer);
      criticLoss += result.loss / batches.length;
      for (const [k, v] of Object.entries(result.metrics)) metrics[k] = (metrics[k] ?? 0) + v / batches.length;
    }
    metrics.d_loss = criticLoss;
    if (step < config.gan.pretrain_steps) {
      // The generator waits: its step count still advances so schedules and checkpoints stay aligned.
      const result = await trainer.step(batches[batches.length - 1], 0, critic);
      return { loss: result.loss, metrics: { ...metrics, ...result.metrics } };
    }
    const result = await trainer.step(batches[batches.length - 1], learningRate, critic);
    return { loss: result.loss, metrics: { ...metrics, ...result.metrics } };
  };
  const batchesPerStep = config.gan ? config.gan.critic_steps : 1;

  const appendLog = async (line: LogLine) => {
    log.push(line);
    await writeFile(logPath, formatLogLine(line), { flag: 'a' });
  };

  const currentModelWeights = async () => weightsForModel(await trainer.stateDict(), await trainer.optimizerState(), compiledEma);

  const validate = async (step: number): Promise<Validation | undefined> => {
    if (validationPairs.length === 0) return undefined;
    const runner = await ModelRunner.create(spec, await currentModelWeights(), { threads: config.threads });
    let psnrY = 0;
    let ssimY = 0;
    let niqe = 0;
    const rows: GridRow[] = [];
    for (const pair of validationPairs) {
      const sr = await runner.upscale(pair.lr);
      const scores = measureSr(sr, pair.hr, { crop: config.scale, metrics: validationMetrics, models: metricModels });
      psnrY += scores.psnrY!;
      ssimY += scores.ssimY!;
      niqe += scores.niqe ?? 0;
      if (rows.length < 3) {
        rows.push({
          title: `${pair.name}  step ${step}`,
          panels: [
            { label: `LR (nearest x${config.scale})`, image: resizeImage(pair.lr, { height: pair.hr.height, width: pair.hr.width, method: 'nearest' }) },
            { label: `SR ${scores.psnrY!.toFixed(2)} dB / ${scores.ssimY!.toFixed(4)}`, image: sr },
            { label: 'HR', image: pair.hr },
          ],
        });
      }
    }
    await runner.release();
    await writeBufferAtomic(join(out, 'samples', `step_${String(step).padStart(7, '0')}.png`), await renderComparisonGrid(rows));
    const n = validationPairs.length;
    return { psnrY: psnrY / n, ssimY: ssimY / n, ...(validationMetrics.includes('niqe') ? { niqe: niqe / n } : {}) };
  };

  const writePlot = async () => {
    const loss = { label: config.gan ? 'generator loss (log scale)' : 'training loss (log scale)', color: '#c0392b', points: log.filter((l) => l.loss !== undefined).map((l) => ({ x: l.step, y: l.loss! })) };
    const val = log.filter((l) => l.val?.psnrY !== undefined).map((l) => ({ x: l.step, y: l.val!.psnrY! }));
    if (!config.gan) {
      await writeBufferAtomic(join(out, 'plot.png'), await renderTrainingPlot(loss, val.length ? { label: 'validation PSNR-Y (dB)', color: '#2471a3', points: val } : undefined));
      return;
    }
    const term = (name: string) => log.filter((l) => l.terms?.[name] !== undefined).map((l) => ({ x: l.step, y: l.terms![name] }));
    const wasserstein = config.gan.loss === 'wgan-gp';
    const charts: Chart[] = [
      { series: [loss], logScale: true },
      { series: [{ label: wasserstein ? "critic's Wasserstein estimate E[D(y)] - E[D(G(x))]" : 'discriminator loss', color: '#7d3c98', points: term(wasserstein ? 'd_wasserstein' : 'd_loss') }] },
      { series: [{ label: 'D(real)', color: '#1e8449', points: term('d_real') }, { label: 'D(fake) (mean logits)', color: '#ca6f1e', points: term('d_fake') }] },
      { series: [{ label: 'validation PSNR-Y (dB)', color: '#2471a3', points: val }] },
      { series: [{ label: 'validation NIQE (lower is more natural)', color: '#117a65', points: log.filter((l) => l.val?.niqe !== undefined).map((l) => ({ x: l.step, y: l.val!.niqe! })) }] },
    ];
    await writeBufferAtomic(join(out, 'plot.png'), await renderCharts(charts));
  };

  const bar = stream.isTTY
    ? new cliProgress.SingleBar(
        { stream, format: `${config.name} [{bar}] {value}/{total} | loss {loss} | PSNR {psnr} | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let lastPsnr = log.filter((l) => l.val).pop()?.val?.psnrY;
  bar?.start(config.steps, stepsDone, { loss: '-', psnr: lastPsnr?.toFixed(2) ?? '-' });
  if (bar) stops.push(() => bar.stop());

  const started = Date.now();
  const seconds = () => secondsBefore + (Date.now() - started) / 1000;
  let lossSum = 0;
  let lossCount = 0;
  // The sampler's position before the batch that is cut ahead: what a checkpoint must store, so a
  // resumed run trains on that batch next instead of skipping it.
  let pendingSamplerState = sampler.state;
  const cut = (): Promise<Batch[]> => Promise.all(Array.from({ length: batchesPerStep }, () => sampler.next()));
  let next = cut();
  const termSums: Record<string, number> = {};
  let interrupted = false;
  let lastValidation: Validation | undefined;
  while (trainer.stepsDone < config.steps) {
    const step = trainer.stepsDone;
    const learningRate = learningRateAt(config, step);
    const pending = trainStep(await next, step);
    // The next batch is cut while the worker runs this step: data loading stays off the critical path.
    pendingSamplerState = sampler.state;
    next = cut();
    const { loss, metrics } = await pending;
    for (const [k, v] of Object.entries(metrics)) termSums[k] = (termSums[k] ?? 0) + v;
    const diverged = divergence(config, step + 1, loss, metrics.d_loss);
    if (diverged) throw diverged;
    lossSum += loss;
    lossCount++;
    const done = trainer.stepsDone;
    options.onStep?.(done);
    if (done % config.log_every === 0 || done === config.steps) {
      const line: LogLine = { step: done, loss: lossSum / lossCount, lr: learningRate, seconds: Math.round(seconds()) };
      if (Object.keys(termSums).length > 0) line.terms = Object.fromEntries(Object.entries(termSums).map(([k, v]) => [k, v / lossCount]));
      for (const k of Object.keys(termSums)) delete termSums[k];
      await appendLog(line);
      const d = line.terms?.d_loss;
      if (!bar) stream.write(`${config.name} step ${done}/${config.steps} loss ${line.loss!.toFixed(5)}${d !== undefined ? ` D ${d.toFixed(4)}` : ''} lr ${learningRate.toExponential(2)}${lastPsnr ? ` PSNR ${lastPsnr.toFixed(2)}` : ''} (${line.seconds} s)\n`);
      lossSum = 0;
      lossCount = 0;
    }
    bar?.update(done, { loss: loss.toFixed(5), psnr: lastPsnr?.toFixed(2) ?? '-' });
    if (done % config.val_every === 0 || done === config.steps) {
      lastValidation = await validate(done);
      if (lastValidation) {
        lastPsnr = lastValidation.psnrY;
        await appendLog({ step: done, val: lastValidation });
        if (!bar) stream.write(`${config.name} step ${done} validation PSNR-Y ${lastValidation.psnrY.toFixed(3)} SSIM-Y ${lastValidation.ssimY.toFixed(4)}${lastValidation.niqe !== undefined ? ` NIQE ${lastValidation.niqe.toFixed(3)}` : ''}\n`);
      }
      await writePlot();
    }
    if (done % config.checkpoint_every === 0 || done === config.steps || options.signal?.aborted) {
      await saveCheckpoint(checkpointPath, trainer, critic, pendingSamplerState, seconds());
    }
    if (options.signal?.aborted && done < config.steps) {
      interrupted = true;
      break;
    }
  }
  bar?.stop();
  const modelPath = join(out, 'model.safetensors');
  await saveModel(modelPath, spec, await currentModelWeights(), {
    steps: String(trainer.stepsDone),
    seconds: String(Math.round(seconds())),
    ...(lastValidation ? { 'val.psnrY': lastValidation.psnrY.toFixed(3), 'val.ssimY': lastValidation.ssimY.toFixed(4) } : {}),
    ...(lastValidation?.niqe !== undefined ? { 'val.niqe': lastValidation.niqe.toFixed(4) } : {}),
  });
  await writePlot();
  return { steps: trainer.stepsDone, modelPath, lastValidation, interrupted };
}
