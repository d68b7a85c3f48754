/**
 * Axis scales for the training charts: a domain widened to round numbers and the ticks on it (steps of
 * 1, 2 or 5 times a power of ten, as plotting libraries choose them), linear or logarithmic. Pure.
 */
export interface AxisScale {
  min: number;
  max: number;
  ticks: number[];
  log: boolean;
  /** Where `value` falls on the axis, 0 at `min` to 1 at `max`. */
  fraction(value: number): number;
}

/** The smallest round step (1, 2 or 5 times a power of ten) no smaller than `span / count`. */
function roundStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const multiple = raw / power;
  return (multiple <= 1 ? 1 : multiple <= 2 ? 2 : multiple <= 5 ? 5 : 10) * power;
}

/** Removes float noise such as 0.30000000000000004 from a tick computed as a multiple of a step. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

/** A linear axis covering [low, high] with about `count` ticks; a single value gets room around it. */
export function linearScale(low: number, high: number, count = 5): AxisScale {
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const step = roundStep(high - low, count);
  const min = clean(Math.floor(low / step) * step);
  const max = clean(Math.ceil(high / step) * step);
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + step * 1e-9; i++) ticks.push(clean(min + i * step));
  return { min, max, ticks, log: false, fraction: (value) => (value - min) / (max - min) };
}

/**
 * A logarithmic axis covering [low, high] (both > 0): ticks at 1, 2 and 5 times powers of ten when the
 * data spans few decades, only at powers of ten when it spans many.
 */
export function logScale(low: number, high: number): AxisScale {
  if (!(low > 0 && high > 0)) throw new RangeError(`logScale: the data must be positive, got ${low} to ${high}`);
  const firstDecade = Math.floor(Math.log10(low));
  const lastDecade = Math.ceil(Math.log10(high));
  const multiples = lastDecade - firstDecade > 3 ? [1] : [1, 2, 5];
  const candidates: number[] = [];
  for (let decade = firstDecade; decade <= lastDecade; decade++) {
    for (const multiple of multiples) candidates.push(clean(multiple * 10 ** decade));
  }
  const min = candidates.findLast((value) => value <= low) ?? candidates[0];
  let max = candidates.find((value) => value >= high) ?? candidates[candidates.length - 1];
  if (max === min) max = candidates[candidates.indexOf(min) + 1];
  const ticks = candidates.filter((value) => value >= min && value <= max);
  const logMin = Math.log10(min);
  const logSpan = Math.log10(max) - logMin;
  return { min, max, ticks, log: true, fraction: (value) => (Math.log10(value) - logMin) / logSpan };
}

/** A tick or value label: at most 4 significant digits, exponent form for very small or large numbers. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  return String(Number(value.toPrecision(4)));
}

/** A step count for the x axis: 2500, 12k, 1.5M. */
export function formatSteps(value: number): string {
  return Math.abs(value) >= 10_000 ? new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 }).format(value) : String(value);
}
