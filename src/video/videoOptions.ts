import { z } from 'zod';
import { TEMPORAL_MODES } from './upscaleVideo.js';
import { DEFAULT_REUSE } from './staticAreaReuse.js';

/**
 * The options only a video has, declared once (rule, default, help): `enhance upscale clip.mp4` builds
 * its video flags from these fields, as it builds the picture flags from `upscaleOptionsSchema`.
 */
export const videoOptionsSchema = z.object({
  codec: z
    .string()
    .regex(/^[a-z0-9_-]+$/i, { error: 'must be an ffmpeg encoder name' })
    .optional()
    .describe('video encoder: libx264 (default for .mp4/.mkv), libx265, libvpx-vp9 (default for .webm), libsvtav1, libaom-av1, ffv1 (lossless, .mkv), libx264rgb, or any ffmpeg -encoders lists'),
  crf: z.number({ error: 'must be a number from 0 to 63' }).min(0, { error: 'must be a number from 0 to 63' }).max(63, { error: 'must be a number from 0 to 63' }).optional().describe("constant quality, lower is better (default: libx264 18, libx265 20, vp9/av1 30; 0 is lossless for x264)"),
  preset: z.string().regex(/^[a-z0-9]+$/i, { error: 'must be a preset name or number' }).optional().describe('encoder speed/size trade-off: x264/x265 ultrafast..veryslow (default veryfast: the model needs the CPU; slow makes smaller files), vp9/aom cpu-used 0-8, svt-av1 0-13'),
  segmentSeconds: z.number({ error: 'must be a positive number' }).positive({ error: 'must be a positive number' }).max(3600, { error: 'must be at most 3600' }).default(10).describe('seconds of video per segment: what --resume restarts from, and what queue workers take one at a time'),
  resume: z.boolean().default(false).describe('keep finished segments when stopped, and continue from them on the next run with --resume'),
  keepPartial: z.boolean().default(false).describe('on Ctrl-C, write what is done as a shorter, playable video (otherwise nothing is left)'),
  temporal: z.enum(TEMPORAL_MODES, { error: `must be one of ${TEMPORAL_MODES.join(', ')}` }).default('off').describe('flicker remedy: reuse keeps the previous output where the input did not change (static areas stop shimmering; fully static frames skip the model)'),
  staticThreshold: z.number({ error: 'must be a number from 0 to 255' }).min(0, { error: 'must be a number from 0 to 255' }).max(255, { error: 'must be a number from 0 to 255' }).default(DEFAULT_REUSE.threshold).describe('with --temporal reuse: how far (8-bit levels, local mean) an input pixel must move to be upscaled again; higher is steadier, lower follows faint motion'),
});

export type VideoFlagOptions = z.output<typeof videoOptionsSchema>;
