import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors.js';
import { PatchSampler, type PatchSamplerState } from '../data/patchSampler.js';
import { loadSrPairs, type SrPair } from '../data/srPairs.js';
import { loadTrainingSet } from '../data/trainingSet.js';
import { EnhanceError } from '../errors.js';
import { renderComparisonGrid, type GridRow } from '../evaluate/comparisonGrid.js';
import type { TensorData } from '../graph/tensorData.js';
import { writeBufferAtomic } from '../io/atomicWrite.js';
import { weightedSum } from '../losses/structuralLosses.js';
import { loadMetricModels, measureSr, type SrMetricName } from '../metrics/srMetrics.js';
import { buildNetwork, type ModelSpec } from '../models/architectures.js';
import { loadModel, saveModel } from '../models/modelFile.js';
import type { StateDict } from '../nn/buildContext.js';
import { adam, adamw } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { sgd } from '../optim/sgd.js';
import { EngineThread, ThreadedTrainer } from '../runtime/engineThread.js';
import { Random } from '../nn/random.js';
import { contentLossTerms } from './generatorLoss.js';
import { compileGanSteps } from './ganSteps.js';
import { compileTrainingStep } from '../runtime/trainingStep.js';
import { ModelRunner } from '../upscale/modelUpscale.js';
import { resizeImage } from '../resize/resizeImage.js';
import { learningRateAt } from './learningRate.js';
import type { TrainConfig } from './trainConfig.js';
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
  return { arch: config.model.arch as ModelSpec['arch'], scale: config.scale, options: config.model.options };
}

interface LogLine {
  step: number;
  loss?: number;
  lr?: number;
  seconds?: number;
  /** Each loss term and discriminator statistic (GAN runs), averaged like `loss`. */
  terms?: Record<string, number>;
  val?: Validation;
}

interface Validation {
  psnrY: number;
  ssimY: number;
  niqe?: number;
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

/**
 * Train an SR network from a config: random patches of MATLAB-bicubic LR/HR pairs, one ORT run per
 * step in a worker thread (the next batch is cut while the step runs), validation with PSNR-Y/SSIM-Y
 * and a sample grid, a JSONL log, a plot, atomic checkpoints, exact resume.
 */
export async function runTraining(config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const out = options.outDir;
  const checkpointPath = join(out, 'checkpoint.safetensors');
  const logPath = join(out, 'log.jsonl');
  await mkdir(join(out, 'samples'), { recursive: true });
  if (!options.resume && existsSync(checkpointPath)) {
    throw new EnhanceError('already holds a run: use --resume to continue it, or another --out', { file: out });
  }

  const spec = modelSpecOf(config);
  const images = await loadTrainingSet(config.data.train, config.scale, config.data.lr_patch);
  const sampler = new PatchSampler(images, {
    scale: config.scale,
    lrPatch: config.data.lr_patch,
    batch: config.data.batch,
    patchesPerImage: config.data.patches_per_image,
    augment: config.data.augment,
    seed: config.seed,
  });

  const state: StateDict = new Map();
  const criticState: StateDict = new Map();
  let optimizerState: Map<string, TensorData> | undefined;
  let criticOptimizerState: Map<string, TensorData> | undefined;
  let stepsDone = 0;
  let secondsBefore = 0;
  let log: LogLine[] = [];
  if (options.resume && existsSync(checkpointPath)) {
    const checkpoint = await readSafetensors(checkpointPath);
    stepsDone = Number(checkpoint.metadata.step);
    secondsBefore = Number(checkpoint.metadata.seconds ?? 0);
    sampler.restore(JSON.parse(checkpoint.metadata.sampler) as PatchSamplerState);
    optimizerState = new Map();
    criticOptimizerState = new Map();
    for (const [name, tensor] of checkpoint.tensors) {
      const critic = name.startsWith(DISCRIMINATOR_PREFIX);
      const bare = critic ? name.slice(DISCRIMINATOR_PREFIX.length) : name;
      if (isOptimizerSlot(bare)) (critic ? criticOptimizerState : optimizerState).set(bare, tensor);
      else (critic ? criticState : state).set(bare, tensor);
    }
    if (existsSync(logPath)) {
      log = (await readFile(logPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine).filter((l) => l.step <= stepsDone);
    }
  }
  if (stepsDone === 0 && config.init_from) {
    const initial = await loadModel(config.init_from);
    if (initial.spec.arch !== spec.arch || initial.spec.scale !== spec.scale) {
      throw new EnhanceError(`is a x${initial.spec.scale} ${initial.spec.arch} model; the config trains a x${spec.scale} ${spec.arch}`, { file: config.init_from });
    }
    for (const [name, tensor] of initial.state) state.set(name, tensor);
  }
  await writeFile(logPath, log.map((l) => JSON.stringify(l) + '\n').join(''));
  await writeFile(join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');

  let releaseThread: () => Promise<void> = async () => {};
  const terms = await contentLossTerms(config);
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
    trainer = await ThreadedTrainer.create(steps.generator, state, { threads: config.threads, optimizerState, stepsDone, thread, name: 'generator' });
    // The discriminator takes critic_steps steps per generator step: its own count drives its Adam bias correction.
    const criticSteps = stepsDone * config.gan.critic_steps;
    critic = await ThreadedTrainer.create(steps.discriminator, criticState, { threads: config.threads, optimizerState: criticOptimizerState, stepsDone: criticSteps, thread, name: 'discriminator' });
    compiledEma = steps.generator.ema;
    needsEpsilon = steps.needsEpsilon;
    releaseThread = () => thread.terminate();
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
    trainer = await ThreadedTrainer.create(compiled, state, { threads: config.threads, optimizerState, stepsDone });
    compiledEma = compiled.ema;
    releaseThread = () => trainer.release();
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

  const validationPairs: SrPair[] = [];
  if (config.data.val) for await (const pair of loadSrPairs({ hr: config.data.val, scale: config.scale })) validationPairs.push(pair);

  const appendLog = async (line: LogLine) => {
    log.push(line);
    await writeFile(logPath, JSON.stringify(line) + '\n', { flag: 'a' });
  };

  const currentModelWeights = async () => weightsForModel(await trainer.stateDict(), await trainer.optimizerState(), compiledEma);

  // GAN runs are also judged by NIQE (lower: more natural texture), which PSNR does not see.
  const validationMetrics: SrMetricName[] = config.gan ? ['psnr', 'ssim', 'niqe'] : ['psnr', 'ssim'];
  const metricModels = await loadMetricModels(validationMetrics);
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
    return { psnrY: psnrY / n, ssimY: ssimY / n, ...(config.gan ? { niqe: niqe / n } : {}) };
  };

  const writePlot = async () => {
    const loss = { label: config.gan ? 'generator loss (log scale)' : 'training loss (log scale)', color: '#c0392b', points: log.filter((l) => l.loss !== undefined).map((l) => ({ x: l.step, y: l.loss! })) };
    const val = log.filter((l) => l.val).map((l) => ({ x: l.step, y: l.val!.psnrY }));
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

  const stream = options.stream ?? process.stderr;
  const bar = stream.isTTY
    ? new cliProgress.SingleBar(
        { stream, format: `${config.name} [{bar}] {value}/{total} | loss {loss} | PSNR {psnr} | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let lastPsnr = log.filter((l) => l.val).pop()?.val?.psnrY;
  bar?.start(config.steps, stepsDone, { loss: '-', psnr: lastPsnr?.toFixed(2) ?? '-' });

  const started = Date.now();
  const seconds = () => secondsBefore + (Date.now() - started) / 1000;
  let lossSum = 0;
  let lossCount = 0;
  // The sampler's position before the batch that is cut ahead: what a checkpoint must store, so a
  // resumed run trains on that batch next instead of skipping it.
  let pendingSamplerState = sampler.state;
  const cut = (): Batch[] => Array.from({ length: batchesPerStep }, () => sampler.next());
  let next = cut();
  const termSums: Record<string, number> = {};
  let interrupted = false;
  let lastValidation: Validation | undefined;
  while (trainer.stepsDone < config.steps) {
    const step = trainer.stepsDone;
    const learningRate = learningRateAt(config, step);
    const pending = trainStep(next, step);
    // The next batch is cut while the worker runs this step: data loading stays off the critical path.
    pendingSamplerState = sampler.state;
    next = cut();
    const { loss, metrics } = await pending;
    for (const [k, v] of Object.entries(metrics)) termSums[k] = (termSums[k] ?? 0) + v;
    if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step + 1}: loss is ${loss}`);
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
  await releaseThread();
  return { steps: trainer.stepsDone, modelPath, lastValidation, interrupted };
}
