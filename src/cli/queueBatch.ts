import { setMaxListeners } from 'node:events';
import { resolve } from 'node:path';
import type { JobStatus } from '../service/jobData.js';
import { fileDigest, jobKey, type JobOptions } from '../service/jobOptions.js';
import type { JobQueue } from '../service/jobQueue.js';
import { waitForJob } from '../service/waitForJob.js';
import type { PlannedOutput } from './outputPlan.js';
import { createProgress } from './progress.js';

/**
 * `enhance upscale <dir> -o <dir> --queue redis://...`: one job per picture (paths absolute: every
 * worker sees the shared storage at the same mount point), then the overall progress followed until
 * every job has ended. A failed picture is one line, as in a local run; the count of failures is the
 * result. Ctrl-C (`signal`) cancels the jobs that have not ended.
 */
export async function runQueueBatch(queue: JobQueue, plan: readonly PlannedOutput[], options: JobOptions, signal: AbortSignal): Promise<number> {
  const ids: string[] = [];
  for (const { input, output } of plan) {
    if (signal.aborted) break;
    const id = jobKey(await fileDigest(input), options, resolve(output));
    await queue.submit(id, { options, input: { path: resolve(input) }, output: { path: resolve(output) } });
    ids.push(id);
  }
  const progress = createProgress('upscale (queued)', ids.length);
  let failures = 0;
  setMaxListeners(0, signal); // one wait per job listens to it
  await Promise.all(
    ids.map(async (id, i) => {
      const entry = plan[i];
      const final: JobStatus | undefined = await waitForJob(queue, id, {
        signal,
        // Events carry the news; the poll is a safety net, spread so a big batch asks Redis ~20 times a second.
        pollMs: Math.max(2000, ids.length * 50),
      }).catch(() => undefined);
      if (signal.aborted) return;
      if (final?.state === 'done') {
        progress.advance(`${entry.input} -> ${entry.output}`);
      } else {
        failures++;
        progress.advance(`${entry.input} failed`);
        process.stderr.write(`\nenhance: ${final?.error ?? `${entry.input}: the job ${final ? 'was cancelled' : 'was lost (expired from the queue)'}`}\n`);
      }
    }),
  );
  progress.stop();
  if (signal.aborted) {
    const open = (await Promise.all(ids.map((id) => queue.status(id)))).filter((s) => s && (s.state === 'queued' || s.state === 'running'));
    await Promise.all(open.map((s) => queue.cancel(s!.id)));
    process.stderr.write(`\nenhance: interrupted; cancelled the ${open.length} jobs that had not ended\n`);
  }
  return failures;
}
