/**
 * The training page: the runs of the server's runs folder, and for the one picked (`#run=<name>` in the
 * address, so it can be linked) its loss and validation charts, sample grids and config, kept up to date
 * from the server's event stream while the run goes on.
 */
import { parseLogLine, type TrainLogLine } from '../../src/runs/runFolderFormat.js';
import { summarizeRun, type RunSummary } from '../../src/serve/runSummary.js';
import { formatNumber } from './chartScale.js';
import { LineChart } from './lineChart.js';
import { runSeries } from './runSeries.js';
import { setUpTheme } from './theme.js';

/** GET /api/runs/:run */
interface RunDetail {
  name: string;
  config: Record<string, unknown> | null;
  log: TrainLogLine[];
  /** Where the server read the log to: the event stream goes on from there. */
  logOffset: number;
  samples: string[];
}

/** The run on screen. */
interface ShownRun {
  name: string;
  config: Record<string, unknown> | null;
  log: TrainLogLine[];
  samples: string[];
  events: EventSource;
  charts: { generator: LineChart; discriminator: LineChart; psnrY: LineChart; niqe: LineChart };
}

/** How often the list of runs is fetched again, for runs started or changed elsewhere. */
const LIST_REFRESH_MILLISECONDS = 10_000;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const main = $<HTMLElement>('#main');
const runsStatus = $<HTMLParagraphElement>('#runs-status');
const runList = $<HTMLUListElement>('#run-list');
const runSection = $<HTMLElement>('#run');
const runTitle = $<HTMLHeadingElement>('#run-title');
const live = $<HTMLSpanElement>('#live');
const runFacts = $<HTMLParagraphElement>('#run-facts');
const runValidation = $<HTMLParagraphElement>('#run-validation');
const chartsBox = $<HTMLDivElement>('#charts');
const sampleSelect = $<HTMLSelectElement>('#sample-select');
const samplesEmpty = $<HTMLParagraphElement>('#samples-empty');
const sampleFigure = $<HTMLElement>('#sample-figure');
const sampleLink = $<HTMLAnchorElement>('#sample-link');
const sampleImage = $<HTMLImageElement>('#sample-image');
const runConfig = $<HTMLPreElement>('#run-config');
const runError = $<HTMLParagraphElement>('#run-error');

let runs: RunSummary[] = [];
let shown: ShownRun | undefined;
/** Counts selections, so the answer to an older one that arrives late is dropped. */
let selection = 0;

const runPath = (name: string) => `/api/runs/${encodeURIComponent(name)}`;

function nameInHash(): string | undefined {
  return new URLSearchParams(location.hash.slice(1)).get('run') ?? undefined;
}

function hashOf(name: string): string {
  return `#${new URLSearchParams({ run: name })}`;
}

// ---- the list of runs ----

function describeSummary(run: RunSummary): string {
  const parts: string[] = [];
  if (run.step !== undefined) parts.push(run.totalSteps ? `step ${run.step} of ${run.totalSteps}` : `step ${run.step}`);
  else parts.push('no steps yet');
  if (run.loss !== undefined) parts.push(`loss ${formatNumber(run.loss)}`);
  if (run.val?.psnrY !== undefined) parts.push(`${run.val.psnrY.toFixed(2)} dB`);
  if (run.val?.niqe !== undefined) parts.push(`NIQE ${run.val.niqe.toFixed(2)}`);
  if (run.gan) parts.push('GAN');
  return parts.join(' · ');
}

function fillRunLink(link: HTMLAnchorElement, run: RunSummary): void {
  const name = document.createElement('span');
  name.className = 'run-name';
  name.textContent = run.name;
  const facts = document.createElement('span');
  facts.className = 'run-summary';
  facts.textContent = describeSummary(run);
  const time = document.createElement('time');
  time.className = 'run-time';
  time.dateTime = run.modified;
  time.textContent = new Date(run.modified).toLocaleString();
  link.replaceChildren(name, facts, time);
  link.href = hashOf(run.name);
  if (run.name === shown?.name || run.name === nameInHash()) link.setAttribute('aria-current', 'true');
  else link.removeAttribute('aria-current');
}

/**
 * Show `runs` in the list. Items are updated in place when the order is unchanged, so a link that has the
 * keyboard focus keeps it while the list refreshes.
 */
function renderRunList(): void {
  const items = [...runList.querySelectorAll<HTMLLIElement>('li')];
  const sameOrder = items.length === runs.length && items.every((item, i) => item.dataset.run === runs[i].name);
  if (sameOrder) {
    items.forEach((item, i) => fillRunLink(item.querySelector('a')!, runs[i]));
    return;
  }
  const focused = (document.activeElement as HTMLElement | null)?.closest<HTMLLIElement>('#run-list li')?.dataset.run;
  runList.replaceChildren(
    ...runs.map((run) => {
      const item = document.createElement('li');
      item.dataset.run = run.name;
      const link = document.createElement('a');
      fillRunLink(link, run);
      item.append(link);
      return item;
    }),
  );
  if (focused !== undefined) runList.querySelector<HTMLLIElement>(`li[data-run="${CSS.escape(focused)}"] a`)?.focus();
}

function showEmptyState(runsDir: string): void {
  const command = document.createElement('code');
  command.textContent = 'npx enhance train --config presets/compact-x4.yaml';
  const folder = document.createElement('code');
  folder.textContent = runsDir;
  runsStatus.replaceChildren('No runs in ', folder, '. Start one with ', command, '.');
  runsStatus.classList.remove('error');
}

async function refreshRuns(): Promise<void> {
  try {
    const response = await fetch('/api/runs');
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    runs = (await response.json()) as RunSummary[];
    const runsDir = decodeURIComponent(response.headers.get('X-Runs-Dir') ?? 'the runs folder');
    main.classList.toggle('no-runs', runs.length === 0);
    if (runs.length === 0) showEmptyState(runsDir);
    else runsStatus.textContent = runs.length === 1 ? '1 run' : `${runs.length} runs`;
    runsStatus.classList.remove('error');
    renderRunList();
  } catch (error) {
    runsStatus.textContent = `Could not list the runs: ${(error as Error).message}`;
    runsStatus.classList.add('error');
  }
}

/** The shown run's list entry, recomputed from its log as lines arrive. */
function updateShownSummary(): void {
  if (!shown) return;
  const index = runs.findIndex((run) => run.name === shown!.name);
  if (index < 0) return;
  runs[index] = summarizeRun(shown.name, shown.config, shown.log, new Date());
  const link = runList.querySelector<HTMLAnchorElement>(`li[data-run="${CSS.escape(shown.name)}"] a`);
  if (link) fillRunLink(link, runs[index]);
}

// ---- the run on screen ----

function makeCharts(gan: boolean): ShownRun['charts'] {
  const charts: ShownRun['charts'] = {
    generator: new LineChart({ id: 'loss', title: gan ? 'Generator loss' : 'Training loss', xLabel: 'step', yLabel: 'loss', logScale: true, emptyText: 'No training step logged yet' }),
    discriminator: new LineChart({ id: 'discriminator', title: 'Discriminator', xLabel: 'step', yLabel: 'value', emptyText: 'No discriminator terms logged' }),
    psnrY: new LineChart({ id: 'psnr', title: 'Validation PSNR-Y (dB)', xLabel: 'step', yLabel: 'PSNR-Y (dB)', formatValue: (v) => `${v.toFixed(2)} dB`, emptyText: 'No validation yet' }),
    niqe: new LineChart({ id: 'niqe', title: 'Validation NIQE (lower is more natural)', xLabel: 'step', yLabel: 'NIQE', formatValue: (v) => v.toFixed(2), emptyText: 'No NIQE measured' }),
  };
  chartsBox.replaceChildren(...Object.values(charts).map((chart) => chart.element));
  return charts;
}

function describeRun(run: ShownRun): string {
  const config = run.config ?? {};
  const parts: string[] = [];
  const last = run.log.findLast((line) => line.loss !== undefined);
  const step = run.log.reduce((latest, line) => Math.max(latest, line.step), 0);
  parts.push(typeof config.steps === 'number' ? `step ${step} of ${config.steps}` : `step ${step}`);
  if (typeof config.scale === 'number') parts.push(`×${config.scale}`);
  const model = config.model as { arch?: unknown } | undefined;
  if (typeof model?.arch === 'string') parts.push(model.arch);
  if (config.gan) parts.push('GAN');
  if (last?.lr !== undefined) parts.push(`learning rate ${formatNumber(last.lr)}`);
  if (last?.seconds !== undefined) parts.push(`${formatDuration(last.seconds)} of training`);
  return parts.join(' · ');
}

function formatDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours} h ${minutes} min`;
  return minutes > 0 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}

function describeValidation(log: readonly TrainLogLine[]): string {
  const line = log.findLast((l) => l.val !== undefined);
  if (!line?.val) return 'No validation yet.';
  const scores: string[] = [];
  if (line.val.psnrY !== undefined) scores.push(`PSNR-Y ${line.val.psnrY.toFixed(2)} dB`);
  if (line.val.ssimY !== undefined) scores.push(`SSIM-Y ${line.val.ssimY.toFixed(4)}`);
  if (line.val.niqe !== undefined) scores.push(`NIQE ${line.val.niqe.toFixed(2)}`);
  return `Last validation, at step ${line.step}: ${scores.join(', ')}.`;
}

function drawRun(): void {
  if (!shown) return;
  const series = runSeries(shown.log);
  shown.charts.generator.update(series.generator);
  shown.charts.discriminator.update(series.discriminator);
  shown.charts.discriminator.element.hidden = series.discriminator.length === 0;
  shown.charts.psnrY.update(series.psnrY);
  shown.charts.niqe.update(series.niqe);
  shown.charts.niqe.element.hidden = series.niqe.length === 0;
  runFacts.textContent = describeRun(shown);
  runValidation.textContent = describeValidation(shown.log);
}

let drawPending = false;

/** Redraw once per frame however many lines arrive in it (a reconnection replays many at once). */
function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    drawRun();
    updateShownSummary();
  });
}

function sampleStep(file: string): string {
  const step = /(\d+)/.exec(file);
  return step ? `step ${Number(step[1])}` : file;
}

function showSample(name: string, file: string): void {
  const url = `${runPath(name)}/samples/${encodeURIComponent(file)}`;
  sampleImage.src = url;
  sampleImage.alt = `Sample grid at ${sampleStep(file)}`;
  sampleLink.href = url;
}

/** Fill the sample menu; stays on the newest grid unless the user picked an older one. */
function renderSamples(run: ShownRun): void {
  const previous = sampleSelect.value;
  const wasNewest = sampleSelect.selectedIndex === sampleSelect.options.length - 1;
  sampleSelect.replaceChildren(...run.samples.map((file) => new Option(sampleStep(file), file)));
  const hasSamples = run.samples.length > 0;
  samplesEmpty.hidden = hasSamples;
  sampleFigure.hidden = !hasSamples;
  sampleSelect.disabled = !hasSamples;
  if (!hasSamples) return;
  sampleSelect.value = !wasNewest && run.samples.includes(previous) ? previous : run.samples[run.samples.length - 1];
  showSample(run.name, sampleSelect.value);
}

const LIVE_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', closed: 'Not following' };

function setLive(state: keyof typeof LIVE_TEXT): void {
  live.dataset.state = state;
  live.textContent = LIVE_TEXT[state];
}

/** Follow the run's log and samples; the browser reconnects by itself, resuming after the last line it got. */
function follow(name: string, logOffset: number): EventSource {
  const events = new EventSource(`${runPath(name)}/events?from=${logOffset}`);
  setLive('connecting');
  events.addEventListener('open', () => setLive('live'));
  events.addEventListener('error', () => setLive(events.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  events.addEventListener('log', (event) => {
    const line = parseLogLine((event as MessageEvent<string>).data);
    if (!line || shown?.events !== events) return;
    shown.log.push(line);
    scheduleDraw();
  });
  events.addEventListener('reset', () => {
    if (shown?.events !== events) return;
    shown.log = [];
    scheduleDraw();
  });
  events.addEventListener('sample', (event) => {
    const file = (event as MessageEvent<string>).data;
    if (shown?.events !== events || shown.samples.includes(file)) return;
    shown.samples = [...shown.samples, file].sort();
    renderSamples(shown);
  });
  return events;
}

function stopFollowing(): void {
  shown?.events.close();
  shown = undefined;
}

async function showRun(name: string): Promise<void> {
  const mine = ++selection;
  stopFollowing();
  runError.hidden = true;
  renderRunList();
  let detail: RunDetail;
  try {
    const response = await fetch(runPath(name));
    const body = (await response.json()) as RunDetail | { error: string };
    if ('error' in body) throw new Error(body.error);
    detail = body;
  } catch (error) {
    if (mine !== selection) return;
    runSection.hidden = true;
    runError.textContent = `Could not show the run ${name}: ${(error as Error).message}`;
    runError.hidden = false;
    return;
  }
  if (mine !== selection) return;
  const gan = Boolean(detail.config?.gan) || detail.log.some((line) => Object.keys(line.terms ?? {}).some((key) => key.startsWith('d_')));
  shown = {
    name,
    config: detail.config,
    log: detail.log,
    samples: detail.samples,
    charts: makeCharts(gan),
    events: follow(name, detail.logOffset),
  };
  runTitle.textContent = name;
  runConfig.textContent = detail.config ? JSON.stringify(detail.config, null, 2) : 'This run has no readable config.json.';
  sampleSelect.replaceChildren();
  renderSamples(shown);
  runSection.hidden = false;
  drawRun();
}

/** Show the run named in the address, or the most recently changed one. */
async function showSelectedRun(): Promise<void> {
  const name = nameInHash() ?? runs[0]?.name;
  if (name === undefined) {
    stopFollowing();
    runSection.hidden = true;
    return;
  }
  if (nameInHash() === undefined) history.replaceState(null, '', hashOf(name));
  if (name !== shown?.name) await showRun(name);
}

setUpTheme();
sampleSelect.addEventListener('change', () => {
  if (shown) showSample(shown.name, sampleSelect.value);
});
window.addEventListener('hashchange', () => void showSelectedRun());
await refreshRuns();
await showSelectedRun();
setInterval(() => void refreshRuns(), LIST_REFRESH_MILLISECONDS);
