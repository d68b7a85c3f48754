import { EnhanceError } from '../errors.js';
import { tensorFromRaster, type Raster } from '../image/raster.js';
import { enlargementProblem, enlargeToRaster, planEnlargement, resizeToRaster, type Enlargement } from '../upscale/enlargement.js';
import type { PictureSize } from '../upscale/outputSize.js';
import { modelRunnerFor } from '../upscale/pictureModel.js';
import type { UpscaleOptions } from '../upscale/upscale.js';
import { DEFAULT_SCALE, upscaleOptionsSchema } from '../upscale/upscaleOptions.js';

/** The upscale options a video takes (every picture option; the hooks are the video's own). */
export type FrameOptions = Omit<UpscaleOptions, 'onProgress' | 'onPlan' | 'onWarning' | 'signal'>;

/** One frame in, one frame out, every frame of a video with the same model and the same plan. */
export interface FrameUpscaler {
  input: PictureSize;
  output: PictureSize;
  /** `frame`: interleaved RGB at the video's depth; the result: the same layout, enlarged. */
  upscale(frame: Uint8Array | Uint16Array, signal?: AbortSignal): Promise<Raster>;
  describe: string;
}

/**
 * The frame upscaler for a video of this size: the model loaded and the enlargement planned once,
 * checked against the size limits before the first frame is decoded.
 */
export async function frameUpscaler(input: PictureSize, bitDepth: 8 | 16, given: FrameOptions, file: string): Promise<FrameUpscaler> {
  const options = upscaleOptionsSchema.parse(given);
  const runner = await modelRunnerFor(input, options);
  const enlargement: Enlargement = planEnlargement(input, options, runner?.scale, DEFAULT_SCALE);
  const problem = enlargementProblem(enlargement);
  if (problem) throw new EnhanceError(problem, { file });
  const describe = runner ? `x${runner.scale} model${enlargement.passes > 1 ? ` x${enlargement.passes} passes` : ''}${enlargement.resize ? ', then bicubic to size' : ''}` : `${options.method ?? 'bicubic'}`;
  return {
    input,
    output: { width: enlargement.size.width, height: enlargement.size.height },
    describe,
    upscale: async (frame, signal) => {
      const raster: Raster = { width: input.width, height: input.height, channels: 3, bitDepth, data: frame };
      const image = tensorFromRaster(raster);
      if (!runner) return resizeToRaster(image, enlargement, options.method ?? 'bicubic', bitDepth);
      return enlargeToRaster(image, runner, bitDepth, enlargement, { ...options, signal });
    },
  };
}

/** A raster's samples as the bytes ffmpeg reads (rgb24, or rgb48le on a little-endian machine). */
export function rasterBytes(raster: Raster): Uint8Array {
  return new Uint8Array(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength);
}

/** Frame bytes from ffmpeg as samples of the given depth (a copy only when the bytes are not aligned). */
export function frameSamples(bytes: Buffer, bitDepth: 8 | 16): Uint8Array | Uint16Array {
  if (bitDepth === 8) return bytes;
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  return new Uint16Array(Uint8Array.from(bytes).buffer);
}
