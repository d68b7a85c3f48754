import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { EnhanceError } from '../errors.js';
import { writeBufferAtomic } from '../io/atomicWrite.js';

/**
 * The folder beside an output video where its segments are encoded, `.<name>.parts/`: segment k holds
 * frames [k n, (k+1) n), is encoded under a temporary name and renamed when complete, so the segments
 * present are exactly the ones finished. `parts.json` says which input and settings made them: a
 * resumed run continues only the same work. Segment names are made here, never read from the file.
 */
export interface VideoParts {
  dir: string;
  /** Segments finished before this run (a resumed run starts after them). */
  completed: number;
  /** Whether every frame was encoded (the run ended in the mux). */
  finished: boolean;
  segmentPath(index: number): string;
  /** Where segment `index` is encoded until it is complete. */
  temporaryPath(index: number): string;
  /** Rename a complete segment into place. */
  complete(index: number): Promise<void>;
  markFinished(segments: number): Promise<void>;
  remove(): Promise<void>;
}

/** What identifies the work: the input file as it is now, and everything that changes the frames or their encoding. */
export interface PartsIdentity {
  input: { path: string; size: number; mtimeMs: number };
  work: Record<string, unknown>;
  segmentFrames: number;
}

const manifestSchema = z.object({
  format: z.literal('enhance-video-parts'),
  version: z.literal(1),
  identity: z.string().max(200),
  finishedSegments: z.number().int().min(0).max(10_000_000).optional(),
});

export function partsDirFor(output: string): string {
  return join(dirname(output), `.${basename(output)}.parts`);
}

function identityDigest(identity: PartsIdentity): string {
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

const segmentName = (index: number, extension: string) => `segment-${String(index).padStart(6, '0')}${extension}`;

/**
 * Segment `index` of a parts folder: its final path, and the temporary it is encoded under by this
 * process (a queue worker writes segments into the client's parts folder on shared storage).
 */
export function segmentFiles(dir: string, index: number, extension: string): { path: string; temporary: string; complete: () => Promise<void> } {
  const path = join(dir, segmentName(index, extension));
  const temporary = join(dir, `.${segmentName(index, extension)}.tmp-${process.pid}`);
  return { path, temporary, complete: () => rename(temporary, path) };
}

/**
 * Open the parts folder of `output`. Without `resume` any earlier parts are removed and the work starts
 * over; with it, parts of the same work are continued and parts of other work are refused in one line.
 */
export async function openVideoParts(output: string, identity: PartsIdentity, extension: string, resume: boolean): Promise<VideoParts> {
  const dir = partsDirFor(output);
  const digest = identityDigest(identity);
  const manifestPath = join(dir, 'parts.json');
  let completed = 0;
  let finished = false;
  let exists = false;
  try {
    exists = (await stat(dir)).isDirectory();
  } catch {
    exists = false;
  }
  if (exists && resume) {
    let manifest: z.infer<typeof manifestSchema> | undefined;
    try {
      const text = await readFile(manifestPath, 'utf8');
      manifest = manifestSchema.parse(JSON.parse(text.slice(0, 4096)));
    } catch {
      manifest = undefined;
    }
    if (!manifest) throw new EnhanceError(`has no readable parts.json; remove the folder or run without --resume`, { file: dir });
    if (manifest.identity !== digest) {
      throw new EnhanceError('was made from another input or with other options; run without --resume to start over', { file: dir });
    }
    const names = new Set(await readdir(dir));
    while (names.has(segmentName(completed, extension))) completed++;
    finished = manifest.finishedSegments !== undefined && manifest.finishedSegments === completed;
    // Temporaries of the interrupted run.
    for (const name of names) if (name.startsWith('.segment-')) await rm(join(dir, name), { force: true });
  } else {
    if (exists) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeBufferAtomic(manifestPath, JSON.stringify({ format: 'enhance-video-parts', version: 1, identity: digest }));
  }
  return {
    dir,
    completed,
    finished,
    segmentPath: (index) => segmentFiles(dir, index, extension).path,
    temporaryPath: (index) => segmentFiles(dir, index, extension).temporary,
    complete: (index) => segmentFiles(dir, index, extension).complete(),
    markFinished: (segments) => writeBufferAtomic(manifestPath, JSON.stringify({ format: 'enhance-video-parts', version: 1, identity: digest, finishedSegments: segments })),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The input file as identified in parts.json. */
export async function inputIdentity(path: string): Promise<PartsIdentity['input']> {
  const info = await stat(path);
  return { path, size: info.size, mtimeMs: Math.round(info.mtimeMs) };
}
