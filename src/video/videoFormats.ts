import { extname } from 'node:path';

/** The containers enhance writes video to. */
export const VIDEO_CONTAINERS = ['mp4', 'mkv', 'webm'] as const;
export type VideoContainer = (typeof VIDEO_CONTAINERS)[number];

/** Extensions of the videos enhance reads (any codec ffmpeg decodes inside them). */
export const VIDEO_INPUT_EXTENSIONS = new Set(['.mp4', '.m4v', '.mkv', '.webm', '.mov', '.avi']);

export function isVideoPath(path: string): boolean {
  return VIDEO_INPUT_EXTENSIONS.has(extname(path).toLowerCase());
}

const CONTAINER_BY_EXTENSION: Record<string, VideoContainer> = { '.mp4': 'mp4', '.m4v': 'mp4', '.mov': 'mp4', '.mkv': 'mkv', '.webm': 'webm' };

/** The container an output path asks for, or undefined (.avi and others are read, not written). */
export function videoContainerOf(path: string): VideoContainer | undefined {
  return CONTAINER_BY_EXTENSION[extname(path).toLowerCase()];
}

/** ffmpeg's muxer name of each container. */
export const MUXER: Record<VideoContainer, string> = { mp4: 'mp4', mkv: 'matroska', webm: 'webm' };

/** Whether a container keeps a rotation as metadata (mp4/mov's display matrix); others get upright frames. */
export function keepsRotation(container: VideoContainer): boolean {
  return container === 'mp4';
}
