import cliProgress from 'cli-progress';

/** Progress over a known number of items: a bar with ETA on a terminal, one plain line per item otherwise. */
export interface Progress {
  /** Report that one more item is done. */
  advance(label: string): void;
  /** Progress inside the current item (e.g. tiles of a picture): `done` of `total` units. */
  inside(label: string, done: number, total: number): void;
  stop(): void;
}

function formatSeconds(seconds: number): string {
  return seconds >= 90 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}

/**
 * A terminal gets two bars with ETA (items, and units inside the current item); a log or pipe gets a
 * line per item and, for long items, a line every quarter of the item.
 */
export function createProgress(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bars = new cliProgress.MultiBar(
      { stream, hideCursor: true, etaBuffer: 20, clearOnComplete: false, format: '{title} [{bar}] {value}/{total} | {percentage}% | ETA {eta_formatted} | {label}' },
      cliProgress.Presets.shades_classic,
    );
    const items = total > 1 ? bars.create(total, 0, { title, label: '' }) : undefined;
    let inner: cliProgress.SingleBar | undefined;
    return {
      advance: (label) => {
        items?.increment(1, { label });
        inner?.update(0, { label: '' });
      },
      inside: (label, done, units) => {
        inner ??= bars.create(units, 0, { title: 'tiles', label });
        inner.setTotal(units);
        inner.update(done, { label });
      },
      stop: () => {
        if (inner) bars.remove(inner);
        bars.stop();
      },
    };
  }
  let done = 0;
  const started = Date.now();
  let itemStarted = Date.now();
  let lastQuarter = 0;
  return {
    advance: (label) => {
      done++;
      itemStarted = Date.now();
      lastQuarter = 0;
      const elapsed = (Date.now() - started) / 1000;
      const eta = done < total ? `, ETA ${formatSeconds((elapsed / done) * (total - done))}` : '';
      stream.write(`${title} ${done}/${total} ${label} (${elapsed.toFixed(1)} s${eta})\n`);
    },
    inside: (label, unitsDone, units) => {
      const quarter = Math.floor((4 * unitsDone) / units);
      if (units < 8 || quarter <= lastQuarter || unitsDone === units) return;
      lastQuarter = quarter;
      const elapsed = (Date.now() - itemStarted) / 1000;
      stream.write(`${title} ${label}: ${unitsDone}/${units} tiles (${elapsed.toFixed(1)} s, ETA ${formatSeconds((elapsed / unitsDone) * (units - unitsDone))})\n`);
    },
    stop: () => {},
  };
}

/** No output at all, for a single item or when stdout carries machine-readable results. */
export const silentProgress: Progress = { advance: () => {}, inside: () => {}, stop: () => {} };
