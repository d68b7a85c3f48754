import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '../../src/service/blobStore.js';
import type { VideoSegmentJobData } from '../../src/service/jobData.js';
import { videoJobOptionsSchema } from '../../src/service/jobOptions.js';
import { ModelCatalogue } from '../../src/service/modelCatalogue.js';
import { runUpscaleJob } from '../../src/service/runUpscaleJob.js';
import { planSegments, segmentsToJoin } from '../../src/service/videoSegmentPlan.js';
import { partsDirFor } from '../../src/video/videoParts.js';
import { repoRoot, runCli, temporaryDirectory } from '../helpers.js';
import { audioPacketDigests, ffmpegAvailable, frameDigests, makeClip } from '../video/videoClips.js';
import { hasRedis, RedisServer } from './redisServer.js';
import { WorkerProcess } from './workerProcess.js';

/** A worker with the default model warm. */
const startWorker = (url: string) => WorkerProcess.start(['--queue', url, '--preload', 'default-x4', '--threads', '1', '--lock-ms', '5000']);

describe('the segments of a queued video', () => {
  it('are cut every segmentFrames frames, the last one open to the real end', () => {
    expect(planSegments(72, 12).map((s) => [s.start, s.end])).toEqual([[0, 12], [12, 24], [24, 36], [36, 48], [48, 60], [60, undefined]]);
    expect(planSegments(0, 12)).toEqual([{ index: 0, start: 0 }]);
  });

  it('are joined in order, with the files the last job wrote past the estimate', () => {
    const files = new Set([0, 1, 2, 3, 4]);
    expect(segmentsToJoin(3, (k) => files.has(k), () => undefined)).toEqual({ indices: [0, 1, 2, 3, 4] });
  });

  it('may lack trailing files only when their jobs held no frames', () => {
    const files = new Set([0, 1]);
    expect(segmentsToJoin(4, (k) => files.has(k), () => 0)).toEqual({ indices: [0, 1] });
    expect(segmentsToJoin(4, (k) => files.has(k), (k) => (k === 3 ? 0 : undefined))).toEqual({ problem: 'segment 2 is missing from the parts folder' });
    const hole = new Set([0, 2]);
    expect(segmentsToJoin(3, (k) => hole.has(k), () => 0)).toEqual({ problem: 'segment 1 held no frames, but segment 2 after it did' });
  });
});

describe('a worker given a video segment job', () => {
  const context = { store: new MemoryBlobStore(), catalogue: new ModelCatalogue(), resultTtlSeconds: 60 };

  it('refuses data that is not a video segment job, naming the field', async () => {
    const job = { kind: 'video-segment', options: {}, input: { path: 'clip.mp4' }, output: { path: '/x/out.mkv' }, segment: { index: 0, start: 0 }, partsIdentity: 'a'.repeat(64) };
    await expect(runUpscaleJob(job as unknown as VideoSegmentJobData, context)).rejects.toThrow(/^not a video segment job: 'job\.input\.path' must be an absolute path/);
  });

  it('writes nothing, and creates no folder, when the output has no parts folder from its client', async () => {
    const dir = await temporaryDirectory();
    const job: VideoSegmentJobData = {
      kind: 'video-segment',
      options: videoJobOptionsSchema.parse({ codec: 'ffv1' }),
      input: { path: join(dir, 'clip.mp4') },
      output: { path: join(dir, 'out', 'film.mkv') },
      segment: { index: 0, start: 0, end: 12 },
      partsIdentity: 'a'.repeat(64),
    };
    await expect(runUpscaleJob(job, context)).rejects.toThrow(/no parts folder/);
    await mkdir(partsDirFor(job.output.path), { recursive: true });
    await writeFile(join(partsDirFor(job.output.path), 'parts.json'), JSON.stringify({ format: 'enhance-video-parts', version: 1, identity: 'b'.repeat(64) }));
    await expect(runUpscaleJob(job, context)).rejects.toThrow(/belongs to other work now/);
    expect(await readdir(join(dir, 'out'))).toEqual(['.film.mkv.parts']);
    expect(await readdir(partsDirFor(job.output.path))).toEqual(['parts.json']);
  });
});

describe.skipIf(!hasRedis || !ffmpegAvailable)('a video on the Redis queue', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 30_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await redis?.close();
  });

  it('is cut into segments two workers upscale, joined into the very frames and audio of a local run', async () => {
    const dir = await temporaryDirectory();
    const clip = makeClip(dir, 'clip.mp4', { width: 64, height: 48, rate: 24, seconds: 3 });
    const local = join(dir, 'local.mkv');
    const localRun = await runCli(['upscale', clip, '-o', local, '--codec', 'ffv1', '--segment', '0.5']);
    expect(localRun.code, localRun.stderr).toBe(0);

    workers.push(...(await Promise.all([startWorker(redis.url), startWorker(redis.url)])));
    const queued = join(dir, 'queued.mkv');
    const result = await runCli(['upscale', clip, '-o', queued, '--codec', 'ffv1', '--segment', '0.5', '--queue', redis.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`${clip} -> ${queued} (6 segments joined, 6 upscaled by workers this run)`);

    expect(frameDigests(queued)).toEqual(frameDigests(local));
    expect(frameDigests(queued).length).toBe(72);
    expect(audioPacketDigests(queued)).toEqual(audioPacketDigests(clip));
    // 72 frames, segments of 12: each done once, some by each worker.
    const done = workers.map((w) => w.segmentsDone(clip));
    expect(done.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const segments of done) expect(segments.length).toBeGreaterThan(0);
    expect((await readdir(dir)).sort()).toEqual(['clip.mp4', 'local.mkv', 'queued.mkv']);
  }, 120_000);
});
