import sharp, { type OverlayOptions } from 'sharp';
import type { ImageTensor } from '../image/tensor.js';
import { encodeImage } from '../image/writeImage.js';
import { resizeImage } from '../resize/resizeImage.js';

export interface GridPanel {
  label: string;
  image: ImageTensor;
}

export interface GridRow {
  title: string;
  panels: GridPanel[];
}

/** One SR result to show beside its input and ground truth. */
export interface SrComparison {
  title: string;
  lr: ImageTensor;
  sr: ImageTensor;
  hr: ImageTensor;
  /** What made the SR picture and how it scores, e.g. 'bicubic  28.42 dB / 0.8104'. */
  srLabel: string;
  scale: number;
}

/**
 * The row LR | SR | HR that `enhance eval --grid` and training's sample grids draw. The LR is enlarged
 * by nearest neighbour to the HR's size, so its pixels stay visible at 1:1 beside the others.
 */
export function srComparisonRow(c: SrComparison): GridRow {
  return {
    title: c.title,
    panels: [
      { label: `LR (nearest x${c.scale})`, image: resizeImage(c.lr, { height: c.hr.height, width: c.hr.width, method: 'nearest' }) },
      { label: c.srLabel, image: c.sr },
      { label: 'HR', image: c.hr },
    ],
  };
}

const GAP = 8;
const TITLE_HEIGHT = 30;
const LABEL_HEIGHT = 26;
const BACKGROUND = '#1e1e1e';

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function textStrip(text: string, width: number, height: number, size: number, bold = false): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<text x="4" y="${Math.round(height * 0.72)}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="${size}"` +
      ` font-weight="${bold ? 'bold' : 'normal'}" fill="#f0f0f0">${escapeXml(text)}</text></svg>`,
  );
}

/**
 * A labelled picture of images side by side, one row per example (e.g. LR | SR | HR), panels at their
 * own pixel size so detail can be compared 1:1.
 */
export async function renderComparisonGrid(rows: readonly GridRow[]): Promise<Buffer> {
  if (rows.length === 0) throw new RangeError('renderComparisonGrid: no rows');
  const columns = Math.max(...rows.map((row) => row.panels.length));
  const cellWidth = Math.max(...rows.flatMap((row) => row.panels.map((panel) => panel.image.width)), 200);
  const width = GAP + columns * (cellWidth + GAP);
  const overlays: OverlayOptions[] = [];
  let top = GAP;
  for (const row of rows) {
    overlays.push({ input: textStrip(row.title, width - 2 * GAP, TITLE_HEIGHT, 18, true), top, left: GAP });
    top += TITLE_HEIGHT;
    const rowHeight = Math.max(...row.panels.map((panel) => panel.image.height));
    for (const [index, panel] of row.panels.entries()) {
      const left = GAP + index * (cellWidth + GAP);
      overlays.push({ input: textStrip(panel.label, cellWidth, LABEL_HEIGHT, 15), top, left });
      overlays.push({ input: await encodeImage(panel.image, { format: 'png' }), top: top + LABEL_HEIGHT, left });
    }
    top += LABEL_HEIGHT + rowHeight + GAP;
  }
  return sharp({ create: { width, height: top, channels: 3, background: BACKGROUND } })
    .composite(overlays)
    .png()
    .toBuffer();
}
