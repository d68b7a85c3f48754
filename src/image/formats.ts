import { extname } from 'node:path';

/** Output formats we write, with the file extensions that select them. */
export const OUTPUT_FORMATS = ['png', 'jpg', 'webp', 'gif', 'tiff', 'avif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const FORMAT_BY_EXTENSION: Record<string, OutputFormat> = {
  '.png': 'png',
  '.jpg': 'jpg',
  '.jpeg': 'jpg',
  '.webp': 'webp',
  '.gif': 'gif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'avif',
};

/** Extensions of files we read when given a folder. */
export const INPUT_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif', '.bmp', '.gif']);

export function isImagePath(path: string): boolean {
  return INPUT_EXTENSIONS.has(extname(path).toLowerCase());
}

/** The output format a path's extension asks for, or undefined when the extension is not one we write. */
export function formatFromPath(path: string): OutputFormat | undefined {
  return FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
}

/** Formats whose files can hold 16 bits per sample. */
export function supportsSixteenBit(format: OutputFormat): boolean {
  return format === 'png' || format === 'tiff';
}

export function supportsAlpha(format: OutputFormat): boolean {
  return format !== 'jpg';
}

/** Formats whose files can hold an animation (PNG as APNG). */
export function supportsAnimation(format: OutputFormat): boolean {
  return format === 'gif' || format === 'webp' || format === 'png';
}

/** The widest or tallest picture each encoder writes (measured with sharp 0.35: libwebp, libheif, mozjpeg; GIF's 16-bit sizes). */
const MAX_SIDE: Record<OutputFormat, number> = { png: 2 ** 31 - 1, tiff: 2 ** 31 - 1, jpg: 65500, webp: 16383, gif: 65535, avif: 16384 };

/** Why a picture of this size cannot be written in `format`, or undefined when it can. */
export function sizeProblem(format: OutputFormat, width: number, height: number): string | undefined {
  const side = MAX_SIDE[format];
  if (width <= side && height <= side) return undefined;
  return `a ${width}x${height} result does not fit ${format} (at most ${side} pixels a side); write png or tiff`;
}
