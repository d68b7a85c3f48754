import type { Readable } from 'node:stream';

/**
 * Cut a byte stream (ffmpeg's raw frames on a pipe) into frames of `frameBytes` each. At most
 * `ahead` frames wait to be taken: the stream is paused beyond that, so ffmpeg blocks on a full pipe
 * and memory stays a few frames whatever the video's length. A trailing part frame is an error.
 */
export async function* framesOf(stream: Readable, frameBytes: number, ahead = 2): AsyncGenerator<Buffer> {
  const ready: Buffer[] = [];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  stream.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(frameBytes - pendingBytes, chunk.length - offset);
      pending.push(chunk.subarray(offset, offset + take));
      pendingBytes += take;
      offset += take;
      if (pendingBytes === frameBytes) {
        ready.push(pending.length === 1 ? Buffer.from(pending[0]) : Buffer.concat(pending, frameBytes));
        pending = [];
        pendingBytes = 0;
      }
    }
    if (ready.length >= ahead) stream.pause();
    notify();
  });
  stream.once('end', () => {
    ended = true;
    notify();
  });
  stream.once('error', (error) => {
    failure = error;
    notify();
  });
  try {
    for (;;) {
      if (ready.length > 0) {
        const frame = ready.shift()!;
        if (ready.length < ahead) stream.resume();
        yield frame;
        continue;
      }
      if (failure) throw failure;
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (pendingBytes > 0) throw new Error(`the stream ended inside a frame (${pendingBytes} of ${frameBytes} bytes)`);
  } finally {
    stream.removeAllListeners('data');
    stream.resume(); // drain what is left, so the writer is never blocked on us
  }
}
