/**
 * The size a user asks for, as numbers: a factor (`--scale 3`, `--scale 1.5`), a width or a height
 * (the aspect kept), or a box (`--width 1920 --height 1080`) the picture fits inside or covers (then
 * cropped to it, centred, as sharp's `fit: 'cover'`). Pure arithmetic, shared with the page.
 */

export const FIT_MODES = ['inside', 'cover'] as const;
export type FitMode = (typeof FIT_MODES)[number];

export interface SizeRequest {
  /** Enlargement factor; ignored when `width` or `height` is given. */
  scale?: number;
  width?: number;
  height?: number;
  /** With both `width` and `height`: keep the aspect and fit inside the box (default), or cover it and crop. */
  fit?: FitMode;
}

export interface PictureSize {
  width: number;
  height: number;
}

/** Where a picture of some size ends up: resized to `resized`, then `crop`ped to `width` x `height` (cover only). */
export interface OutputSize extends PictureSize {
  resized: PictureSize;
  /** The top-left corner of the kept box in the resized picture (cover). */
  crop?: { left: number; top: number };
}

/** A side scaled by `factor`, rounded and at least one pixel. */
const scaled = (side: number, factor: number) => Math.max(1, Math.round(side * factor));

/** The output size for a picture, from a request with a factor of `defaultScale` when it names none. */
export function outputSize(input: PictureSize, request: SizeRequest, defaultScale: number): OutputSize {
  const { width, height } = request;
  if (width === undefined && height === undefined) {
    const factor = request.scale ?? defaultScale;
    const size = { width: scaled(input.width, factor), height: scaled(input.height, factor) };
    return { ...size, resized: size };
  }
  if (width === undefined || height === undefined) {
    const factor = width !== undefined ? width / input.width : height! / input.height;
    // The given side exactly; the other from the aspect.
    const size = { width: width ?? scaled(input.width, factor), height: height ?? scaled(input.height, factor) };
    return { ...size, resized: size };
  }
  const [fx, fy] = [width / input.width, height / input.height];
  if ((request.fit ?? 'inside') === 'inside') {
    // The tighter axis is exact; the other follows the aspect and stays inside the box.
    const size = fx <= fy ? { width, height: Math.min(height, scaled(input.height, fx)) } : { width: Math.min(width, scaled(input.width, fy)), height };
    return { ...size, resized: size };
  }
  const resized = fx >= fy ? { width, height: Math.max(height, scaled(input.height, fx)) } : { width: Math.max(width, scaled(input.width, fy)), height };
  const crop = { left: Math.floor((resized.width - width) / 2), top: Math.floor((resized.height - height) / 2) };
  return { width, height, resized, crop };
}

/** How much larger than the input the resized picture is: the larger of the two axes' factors. */
export function enlargementOf(input: PictureSize, size: OutputSize): number {
  return Math.max(size.resized.width / input.width, size.resized.height / input.height);
}

/** Factors within this of a model's power are that power (1920 / 480 is 4 even when rounding made it 4.0000001). */
const FACTOR_TOLERANCE = 1e-9;

/**
 * How many times a model of scale `modelScale` runs to reach `factor`: the fewest passes whose
 * enlargement is at least the factor (x8 with an x2 model is three passes; x3 with an x4 model one,
 * then a downscale). An x1 model (denoising, restoration) runs once, and classical resizing does the rest.
 */
export function modelPasses(factor: number, modelScale: number): number {
  if (modelScale <= 1 || factor <= modelScale) return 1;
  return Math.max(1, Math.ceil(Math.log(factor) / Math.log(modelScale) - FACTOR_TOLERANCE));
}

/** Whether passes of the model land exactly on the output size (no resize needed after them). */
export function passesAreExact(input: PictureSize, size: OutputSize, modelScale: number, passes: number): boolean {
  const factor = modelScale ** passes;
  return !size.crop && input.width * factor === size.width && input.height * factor === size.height;
}

/**
 * Of the model scales at hand (the shipped defaults), the one that reaches `factor` in the fewest passes,
 * then with the least to throw away (x3 takes the x4 model once, not the x2 model twice).
 */
export function bestModelScale(factor: number, scales: readonly number[]): number | undefined {
  const cost = (m: number) => {
    const passes = modelPasses(factor, m);
    return [passes, m ** passes / factor] as const;
  };
  return [...scales].filter((m) => m > 1).sort((a, b) => cost(a)[0] - cost(b)[0] || cost(a)[1] - cost(b)[1])[0];
}

/**
 * What a result named from its picture ends with: the size asked ('_w1920', '_h1080', '_1920x1080')
 * or the factor ('_x3', the model's own when nothing is asked). The CLI and the page name files so.
 */
export function sizeSuffix(request: SizeRequest, defaultScale: number): string {
  const { width, height } = request;
  if (width !== undefined && height !== undefined) return `_${width}x${height}`;
  if (width !== undefined) return `_w${width}`;
  if (height !== undefined) return `_h${height}`;
  return `_x${request.scale ?? defaultScale}`;
}
