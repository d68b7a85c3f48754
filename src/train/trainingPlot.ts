import sharp from 'sharp';

export interface Series {
  label: string;
  color: string;
  points: readonly { x: number; y: number }[];
}

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? c);
}

/** A chart: one or more series sharing axes (e.g. D(real) and D(fake)), optionally on a log scale. */
export interface Chart {
  series: readonly Series[];
  logScale?: boolean;
}

/** One chart as SVG: its series against steps, axes with min/max labels, a title naming each series in its colour. */
function chartSvg(chart: Chart, left: number, top: number, width: number, height: number): string {
  const logScale = chart.logScale ?? false;
  const kept = chart.series.map((series) => ({ series, pts: series.points.filter((p) => Number.isFinite(p.y) && (!logScale || p.y > 0)) }));
  const frame = `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="#ffffff" stroke="#999"/>`;
  let titleX = left;
  const title = chart.series
    .map((series) => {
      const text = `<text x="${titleX}" y="${top - 8}" font-family="DejaVu Sans, sans-serif" font-size="14" fill="${chart.series.length > 1 ? series.color : '#222'}">${escapeXml(series.label)}</text>`;
      titleX += 9 * series.label.length + 24;
      return text;
    })
    .join('');
  const all = kept.flatMap((k) => k.pts);
  if (all.length === 0) return frame + title;
  const f = (y: number) => (logScale ? Math.log10(y) : y);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => f(p.y));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (x: number) => left + ((x - x0) / (x1 - x0)) * width;
  const py = (y: number) => top + height - ((f(y) - y0) / (y1 - y0)) * height;
  const label = (v: number) => (logScale ? 10 ** v : v).toPrecision(4);
  const axis =
    `<text x="${left + 4}" y="${top + 14}" font-family="DejaVu Sans, sans-serif" font-size="11" fill="#555">${label(y1)}</text>` +
    `<text x="${left + 4}" y="${top + height - 4}" font-family="DejaVu Sans, sans-serif" font-size="11" fill="#555">${label(y0)}</text>` +
    `<text x="${left + width}" y="${top + height + 14}" text-anchor="end" font-family="DejaVu Sans, sans-serif" font-size="11" fill="#555">step ${x1}</text>`;
  const lines = kept
    .map(({ series, pts }) => {
      const path = pts.map((p, i) => `${i ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
      const dots = pts.length <= 60 ? pts.map((p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="2.5" fill="${series.color}"/>`).join('') : '';
      return `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="1.5"/>` + dots;
    })
    .join('');
  return frame + title + axis + lines;
}

/** A PNG with the training loss (log scale) above the validation PSNR, over steps. */
export async function renderTrainingPlot(loss: Series, validation: Series | undefined): Promise<Buffer> {
  return renderCharts(validation ? [{ series: [loss], logScale: true }, { series: [validation] }] : [{ series: [loss], logScale: true }]);
}

/** A PNG of charts stacked over steps (GAN runs: G and D losses, D(real)/D(fake), validation PSNR and NIQE). */
export async function renderCharts(charts: readonly Chart[]): Promise<Buffer> {
  const width = 760;
  const height = 40 + charts.length * 250;
  const body = charts.map((chart, i) => chartSvg(chart, 50, 40 + i * 250, width - 80, 190)).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f6f6f6"/>${body}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
