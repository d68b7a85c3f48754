import cliProgress from 'cli-progress';

/** Progress over a known number of items: a bar with ETA on a terminal, one plain line per item otherwise. */
export interface Progress {
  /** Report that one more item is done. */
  advance(label: string): void;
  stop(): void;
}

export function createProgress(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${title} [{bar}] {value}/{total} | {percentage}% | ETA {eta_formatted} | {label}`,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { label: '' });
    return {
      advance: (label) => bar.increment(1, { label }),
      stop: () => bar.stop(),
    };
  }
  let done = 0;
  const started = Date.now();
  return {
    advance: (label) => {
      done++;
      const elapsed = (Date.now() - started) / 1000;
      const eta = done < total ? `, ETA ${Math.round((elapsed / done) * (total - done))} s` : '';
      stream.write(`${title} ${done}/${total} ${label} (${elapsed.toFixed(1)} s${eta})\n`);
    },
    stop: () => {},
  };
}

/** No output at all, for a single item or when stdout carries machine-readable results. */
export const silentProgress: Progress = { advance: () => {}, stop: () => {} };
