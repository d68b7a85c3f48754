import type { FloatTensor, InferenceBackend, OpenInferenceBackend } from './inferenceBackend.js';

/** Sessions kept open at once: a picture's tiles come in at most four shapes (inner, right, bottom, corner). */
const KEPT_SHAPES = 6;

/**
 * A backend for a network whose graph is built for one input size (window attention: partitions,
 * shifts and masks belong to the size): one session per input shape, made on first use and kept
 * (the least recently used is released beyond a few), so a shape the graph was not built for never runs.
 */
export function perShapeBackend(open: OpenInferenceBackend, modelFor: (height: number, width: number) => Uint8Array): InferenceBackend {
  const sessions = new Map<string, Promise<InferenceBackend>>();
  const sessionFor = (height: number, width: number): Promise<InferenceBackend> => {
    const key = `${height}x${width}`;
    let session = sessions.get(key);
    if (session) {
      sessions.delete(key); // re-inserted below: the map's order is the order of use
    } else {
      session = open(modelFor(height, width));
      session.catch(() => sessions.delete(key));
    }
    sessions.set(key, session);
    if (sessions.size > KEPT_SHAPES) {
      const [oldest, stale] = sessions.entries().next().value as [string, Promise<InferenceBackend>];
      sessions.delete(oldest);
      void stale.then((b) => b.release(), () => undefined);
    }
    return session;
  };
  return {
    inputNames: ['input'],
    outputNames: ['output'],
    async run(feeds: Readonly<Record<string, FloatTensor>>): Promise<FloatTensor> {
      const [, , height, width] = feeds.input.dims;
      return (await sessionFor(height, width)).run(feeds);
    },
    async release(): Promise<void> {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((s) => s.then((b) => b.release(), () => undefined)));
    },
  };
}
