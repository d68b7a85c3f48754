import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import sharp from 'sharp';
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

// The lowest priority for every thread of this process, those Node started before this line (the
// libuv pool that runs sharp's JPEG round trips, V8's helpers) and, by inheritance, those started
// after: the training step's threads run first, and the degradation fills the time they leave idle.
// Linux applies setpriority to one thread id; elsewhere the call lowers the whole process.
function lowestPriority(): void {
  let threads: string[] = [];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    // Not Linux.
  }
  try {
    setPriority(19);
    for (const thread of threads) setPriority(Number(thread), 19);
  } catch {
    // Not permitted here: the degradation simply competes at normal priority.
  }
}
lowestPriority();

// The JPEG round trips are small pictures, many per batch: libvips' operation cache only costs
// memory for them, and one libvips thread per round trip halves a 48x48 round trip's CPU time
// (1.3 against 2.0 ms measured) without slowing the larger ones. Both settings are per process;
// a process that degrades training batches does little else with sharp.
sharp.cache(false);
sharp.concurrency(1);

process.on('message', async (request: DegradeRequest) => {
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
    process.send!({ id: request.id, lr } satisfies DegradeReply);
  } catch (error) {
    process.send!({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies DegradeReply);
  }
});

// The training process is gone (finished, killed, crashed): nothing is left to degrade for.
process.on('disconnect', () => process.exit(0));
