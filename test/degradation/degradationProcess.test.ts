import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DegradationProcess } from '../../src/degradation/degradationProcess.js';
import { defaultDegradationSettings } from '../../src/degradation/degradationSettings.js';
import { degradeSecondOrder } from '../../src/degradation/secondOrderDegradation.js';
import { Random } from '../../src/nn/random.js';

/** The nice value of each thread of a process (Linux: field 19 of /proc/<pid>/task/<tid>/stat, after the name). */
function threadNiceValues(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('DegradationProcess', () => {
  it('degrades a batch exactly as in-process, every thread at the lowest priority, and leaves nothing behind', async () => {
    const [batch, channels, height, width] = [3, 3, 32, 40];
    const random = new Random(5);
    const hr = Float32Array.from({ length: batch * channels * height * width }, () => Math.round(random.next() * 255) / 255);
    const seeds = [11, 12, 13];
    const settings = defaultDegradationSettings();
    const degrader = new DegradationProcess();
    const pid = degrader.pid!;
    try {
      const lr = await degrader.degrade(hr, [batch, channels, height, width], seeds, 4, settings);
      const plane = channels * height * width;
      for (let b = 0; b < batch; b++) {
        const expected = await degradeSecondOrder({ channels, height, width, data: hr.subarray(b * plane, (b + 1) * plane) }, 4, settings, seeds[b]);
        expect(Array.from(lr.subarray(b * expected.data.length, (b + 1) * expected.data.length))).toEqual(Array.from(expected.data));
      }
      // The JPEG round trips ran on libuv's threads: those too must have been lowered.
      if (process.platform === 'linux') expect(new Set(threadNiceValues(pid))).toEqual(new Set([19]));
    } finally {
      await degrader.terminate();
    }
    if (process.platform === 'linux') expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
