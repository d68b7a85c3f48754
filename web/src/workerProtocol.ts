/** Messages between the upscale page and its worker (structured-cloned; pixel buffers transferred). */
import type { SizeRequest } from '../../src/upscale/outputSize.js';

export type ToWorker =
  /** Read a model file (enhance/ESRGAN-family .safetensors, PyTorch .pth, ONNX) and make it the current model. */
  | { type: 'load'; id: number; name: string; bytes: ArrayBuffer; preferWebGpu: boolean }
  /**
   * Enlarge RGBA pixels (interleaved, 8 bits, as ImageData holds them) with the current model to the
   * size asked for (as the CLI's --scale/--width/--height/--fit; empty: the model's own scale).
   */
  | { type: 'upscale'; id: number; width: number; height: number; rgba: ArrayBuffer; tile: number | 'whole'; size: SizeRequest }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'loaded'; id: number; scale: number; description: string; backend: string }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; width: number; height: number; rgba: ArrayBuffer; seconds: number }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; message: string };
