import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { DegradationSettings } from './degradationSettings.js';
import { degradeSecondOrder } from './secondOrderDegradation.js';

/** A batch of HR patches to degrade: [batch, 3, height, width], one seed per patch. */
export interface DegradeRequest {
  id: number;
  hr: Float32Array;
  shape: [number, number, number, number];
  seeds: number[];
  scale: number;
  settings: DegradationSettings;
}

export type DegradeReply = { id: number; lr: Float32Array } | { id: number; error: string };

// The lowest priority for this thread alone (Linux applies setpriority(0) to the calling thread):
// the training step's threads run first, and the degradation fills the time they leave idle.
try {
  setPriority(19);
} catch {
  // Not permitted here: the degradation simply competes at normal priority.
}

parentPort!.on('message', async (request: DegradeRequest) => {
  try {
    const [batch, channels, height, width] = request.shape;
    const plane = channels * height * width;
    const lrPlane = channels * Math.floor(height / request.scale) * Math.floor(width / request.scale);
    const lr = new Float32Array(batch * lrPlane);
    await Promise.all(
      request.seeds.map(async (seed, b) => {
        const patch = { channels, height, width, data: request.hr.subarray(b * plane, (b + 1) * plane) };
        lr.set((await degradeSecondOrder(patch, request.scale, request.settings, seed)).data, b * lrPlane);
      }),
    );
    parentPort!.postMessage({ id: request.id, lr } satisfies DegradeReply, [lr.buffer]);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies DegradeReply);
  }
});
