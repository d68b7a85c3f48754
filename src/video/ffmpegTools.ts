import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { setPriority } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { CancelledError, EnhanceError } from '../errors.js';

/**
 * ffmpeg and ffprobe, taken from PATH (or ENHANCE_FFMPEG / ENHANCE_FFPROBE). Not an npm package that
 * ships a binary: those download it at install time (which `npm ci` offline forbids) or ship one
 * static build per platform in the tarball; the system's ffmpeg is the one users keep up to date, has
 * the codecs their distribution licenses (x264/x265 are GPL) and the hardware encoders of their machine.
 * docs/VIDEO.md says how to get it.
 */
export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

const HINT =
  'video needs ffmpeg and ffprobe on PATH (Debian/Ubuntu: sudo apt install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg), or ENHANCE_FFMPEG/ENHANCE_FFPROBE set to them';

function onPath(name: string): string | undefined {
  const extensions = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = join(dir, name + extension);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

let found: FfmpegTools | undefined;

/** The tools, found once; a missing one is one line saying how to get it. */
export function ffmpegTools(): FfmpegTools {
  if (found) return found;
  const ffmpeg = process.env.ENHANCE_FFMPEG ? resolve(process.env.ENHANCE_FFMPEG) : onPath('ffmpeg');
  const ffprobe = process.env.ENHANCE_FFPROBE ? resolve(process.env.ENHANCE_FFPROBE) : onPath('ffprobe');
  if (!ffmpeg || !ffprobe) throw new EnhanceError(HINT);
  found = { ffmpeg, ffprobe };
  return found;
}

/** Whether video work can run here (tests and benchmarks skip without ffmpeg). */
export function hasFfmpeg(): boolean {
  try {
    ffmpegTools();
    return true;
  } catch {
    return false;
  }
}

/**
 * A path as an ffmpeg input or output: always through the `file:` protocol, so a file named
 * `http://...`, `concat:...` or `pipe:1` is a file and never a protocol.
 */
export function ffmpegPath(path: string): string {
  return `file:${resolve(path)}`;
}

/**
 * Options every ffmpeg/ffprobe input gets: only local files and our pipes may be opened (a playlist or
 * a crafted container naming a URL or another protocol is refused), and only the demuxers of the
 * containers enhance reads (an HLS or concat list in disguise could name files outside its folder).
 */
export const INPUT_DEMUXERS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,apng,gif,image2';
export const SAFE_INPUT = ['-protocol_whitelist', 'file,pipe', '-format_whitelist', INPUT_DEMUXERS];

/** The last lines ffmpeg wrote on stderr: enough to say why it failed, bounded in memory. */
export class StderrTail {
  #text = '';
  constructor(child: ChildProcess, private readonly limit = 4000) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#text = (this.#text + chunk).slice(-this.limit);
    });
  }

  /** The last non-empty line (what ffmpeg says the problem is). */
  lastLine(): string {
    const lines = this.#text.split('\n').map((line) => line.trim()).filter(Boolean);
    return lines.at(-1) ?? 'no message';
  }
}

/** Resolves with the exit code (or the signal's name) when the process ends. */
export function exitOf(child: ChildProcess): Promise<number | string> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null) return resolvePromise(child.exitCode);
    if (child.signalCode !== null) return resolvePromise(child.signalCode);
    child.once('close', (code, signal) => resolvePromise(code ?? signal ?? -1));
  });
}

/**
 * Spawn one of the tools (never through a shell: arguments are passed as they are), in a process group
 * of its own: a Ctrl-C in the terminal reaches enhance, which decides what the encoders do, and not
 * ffmpeg, which would end its file early and look like the end of the video. If enhance dies, the
 * tools see their pipes close and stop.
 */
export function spawnTool(program: string, args: string[], stdin: 'pipe' | 'ignore' = 'ignore', options: { background?: boolean } = {}): ChildProcess {
  const child = spawn(program, args, { stdio: [stdin, 'pipe', 'pipe'], detached: true });
  if (options.background && child.pid !== undefined) {
    try {
      setPriority(child.pid, 19);
    } catch {
      // not allowed here: it runs at our priority
    }
  }
  return child;
}

/**
 * Run a tool to completion and return its stdout (bounded by `maxBytes`); a failure is one line with
 * ffmpeg's own last words, about `file`.
 */
export async function runTool(program: string, args: string[], options: { file: string; what: string; signal?: AbortSignal; maxBytes?: number }): Promise<string> {
  const child = spawnTool(program, args);
  const tail = new StderrTail(child);
  const chunks: Buffer[] = [];
  let size = 0;
  const maxBytes = options.maxBytes ?? 16 * 2 ** 20;
  let tooLarge = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      tooLarge = true;
      child.kill('SIGKILL');
    } else chunks.push(chunk);
  });
  const abort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  const spawnError = new Promise<never>((_, reject) => child.once('error', (error) => reject(new EnhanceError(`could not run ${program}: ${error.message}`, { file: options.file }))));
  try {
    const code = await Promise.race([exitOf(child), spawnError]);
    if (options.signal?.aborted) throw new CancelledError();
    if (tooLarge) throw new EnhanceError(`${options.what}: more than ${maxBytes >> 20} MB of output`, { file: options.file });
    if (code !== 0) throw new EnhanceError(`${options.what} failed: ${tail.lastLine()}`, { file: options.file });
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}
