/** Messages between the upscale page and its worker (structured-cloned; pixel buffers transferred). */

export type ToWorker =
  /** Read a model file (enhance/ESRGAN-family .safetensors, PyTorch .pth, ONNX) and make it the current model. */
  | { type: 'load'; id: number; name: string; bytes: ArrayBuffer; preferWebGpu: boolean }
  /** Enlarge RGBA pixels (interleaved, 8 bits, as ImageData holds them) with the current model. */
  | { type: 'upscale'; id: number; width: number; height: number; rgba: ArrayBuffer; tile: number | 'whole' }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'loaded'; id: number; scale: number; description: string; backend: string }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'done'; id: number; width: number; height: number; rgba: ArrayBuffer; seconds: number }
  | { type: 'cancelled'; id: number }
  | { type: 'error'; id: number; message: string };
