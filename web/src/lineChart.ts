/**
 * A line chart drawn as SVG: labelled axes with round ticks, one path per series (`data-series`,
 * `data-points`), a legend that also says each series' latest value, and an optional log scale. The SVG's
 * viewBox is as wide as its container in CSS pixels, so text stays legible on a phone; it is redrawn when
 * the container's width changes.
 */
import { formatNumber, formatSteps, linearScale, logScale, type AxisScale } from './chartScale.js';
import type { ChartSeries } from './runSeries.js';

export interface LineChartOptions {
  /** Names the chart in the page (`data-chart`) and makes its element ids unique. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Offer a "Log scale" checkbox, checked at first (losses span decades). */
  logScale?: boolean;
  /** A value as the legend and the accessible name say it, e.g. "29.35 dB". */
  formatValue?: (value: number) => string;
  /** Said in the chart while it has no points. */
  emptyText: string;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const HEIGHT = 240;
const MARGIN = { top: 12, right: 16, bottom: 44, left: 64 };
/** Series with at most this many points get a dot at every point (validations are sparse). */
const DOTS_UP_TO = 60;
/** Series colours are CSS variables --series-0 ... --series-5 (training.css), repeated beyond. */
const COLOURS = 6;

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  parent?.append(element);
  return element;
}

function htmlElement<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The smallest and largest value (a loop: spreading a long run's points into Math.min overflows the stack). */
function extent(values: number[]): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return [low, high];
}

export class LineChart {
  readonly element: HTMLElement;
  private readonly plot: HTMLDivElement;
  private readonly legend: HTMLUListElement;
  private readonly logToggle?: HTMLInputElement;
  private series: ChartSeries[] = [];
  private drawnWidth = 0;

  constructor(private readonly options: LineChartOptions) {
    this.element = htmlElement('figure', 'chart panel');
    this.element.dataset.chart = options.id;
    const caption = htmlElement('figcaption');
    caption.append(htmlElement('h3', undefined, options.title));
    if (options.logScale) {
      const label = htmlElement('label', 'log-toggle');
      this.logToggle = htmlElement('input');
      this.logToggle.type = 'checkbox';
      this.logToggle.checked = true;
      this.logToggle.addEventListener('change', () => this.draw());
      label.append(this.logToggle, ' Log scale');
      caption.append(label);
    }
    this.plot = htmlElement('div', 'chart-plot');
    this.legend = htmlElement('ul', 'legend');
    this.element.append(caption, this.plot, this.legend);
    new ResizeObserver(() => {
      if (this.plot.clientWidth !== this.drawnWidth) this.draw();
    }).observe(this.plot);
  }

  /** Show these series (all points so far), replacing what the chart showed. */
  update(series: ChartSeries[]): void {
    this.series = series;
    this.draw();
  }

  private format(value: number): string {
    return (this.options.formatValue ?? formatNumber)(value);
  }

  private latestText(series: ChartSeries): string {
    const last = series.points[series.points.length - 1];
    return `${series.name} ${this.format(last.y)} at step ${last.x}`;
  }

  private draw(): void {
    const shown = this.series.filter((s) => s.points.length > 0);
    const width = Math.max(280, this.plot.clientWidth || 640);
    this.drawnWidth = this.plot.clientWidth;
    const svg = svgElement('svg', { viewBox: `0 0 ${width} ${HEIGHT}`, role: 'img', class: 'line-chart' });
    svgElement('title', {}, svg).textContent = this.options.title;
    const label = shown.length === 0 ? `${this.options.title}: ${this.options.emptyText}` : `${this.options.title}: ${shown.map((s) => this.latestText(s)).join(', ')}`;
    svg.setAttribute('aria-label', label);
    if (shown.length === 0) {
      svgElement('text', { x: width / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'chart-empty' }, svg).textContent = this.options.emptyText;
    } else {
      this.drawAxesAndSeries(svg, shown, width);
    }
    this.plot.replaceChildren(svg);
    this.drawLegend(shown);
  }

  private yScale(shown: ChartSeries[]): AxisScale {
    const [low, high] = extent(shown.flatMap((s) => s.points.map((p) => p.y)));
    const positive = low > 0;
    if (this.logToggle) {
      this.logToggle.disabled = !positive;
      this.logToggle.title = positive ? '' : 'A log scale needs positive values';
    }
    return this.logToggle?.checked && positive ? logScale(low, high) : linearScale(low, high);
  }

  private drawAxesAndSeries(svg: SVGSVGElement, shown: ChartSeries[], width: number): void {
    const [firstStep, lastStep] = extent(shown.flatMap((s) => s.points.map((p) => p.x)));
    const xScale = linearScale(firstStep, lastStep, Math.max(2, Math.floor((width - MARGIN.left - MARGIN.right) / 90)));
    const yScale = this.yScale(shown);
    const left = MARGIN.left;
    const right = width - MARGIN.right;
    const top = MARGIN.top;
    const bottom = HEIGHT - MARGIN.bottom;
    const xOf = (x: number) => left + xScale.fraction(x) * (right - left);
    const yOf = (y: number) => bottom - yScale.fraction(y) * (bottom - top);

    const grid = svgElement('g', { class: 'chart-grid' }, svg);
    const axes = svgElement('g', { class: 'chart-axis' }, svg);
    for (const tick of yScale.ticks) {
      const y = yOf(tick);
      svgElement('line', { x1: left, x2: right, y1: y, y2: y }, grid);
      svgElement('text', { x: left - 6, y, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, axes).textContent = formatNumber(tick);
    }
    for (const tick of xScale.ticks) {
      const x = xOf(tick);
      svgElement('line', { x1: x, x2: x, y1: bottom, y2: bottom + 5 }, axes);
      svgElement('text', { x, y: bottom + 18, 'text-anchor': 'middle' }, axes).textContent = formatSteps(tick);
    }
    svgElement('line', { x1: left, x2: right, y1: bottom, y2: bottom }, axes);
    svgElement('line', { x1: left, x2: left, y1: top, y2: bottom }, axes);
    svgElement('text', { x: (left + right) / 2, y: HEIGHT - 6, 'text-anchor': 'middle', class: 'axis-title' }, axes).textContent = this.options.xLabel;
    const yTitle = svgElement('text', { x: 0, y: 0, 'text-anchor': 'middle', class: 'axis-title', transform: `translate(14 ${(top + bottom) / 2}) rotate(-90)` }, axes);
    yTitle.textContent = yScale.log ? `${this.options.yLabel} (log)` : this.options.yLabel;

    shown.forEach((series, index) => {
      const colour = `series-${index % COLOURS}`;
      const path = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${xOf(p.x).toFixed(1)} ${yOf(p.y).toFixed(1)}`).join('');
      svgElement('path', { d: path, class: `chart-line ${colour}`, 'data-series': series.name, 'data-points': series.points.length }, svg);
      const dotted = series.points.length <= DOTS_UP_TO ? series.points : series.points.slice(-1);
      for (const p of dotted) svgElement('circle', { cx: xOf(p.x).toFixed(1), cy: yOf(p.y).toFixed(1), r: 3, class: `chart-dot ${colour}` }, svg);
    });
  }

  private drawLegend(shown: ChartSeries[]): void {
    this.legend.replaceChildren(
      ...shown.map((series, index) => {
        const last = series.points[series.points.length - 1];
        const item = htmlElement('li');
        item.dataset.series = series.name;
        const swatch = htmlElement('span', `swatch series-${index % COLOURS}`);
        swatch.setAttribute('aria-hidden', 'true');
        item.append(
          swatch,
          htmlElement('span', 'series-name', series.name),
          ' ',
          htmlElement('strong', 'latest', this.format(last.y)),
          ' ',
          htmlElement('span', 'muted', `at step ${last.x}`),
        );
        return item;
      }),
    );
  }
}
