import { readFileSync } from 'node:fs';

/**
 * The exports of a WebAssembly kernel module that `npm run build:wasm` compiles from `assembly/`,
 * instantiated once per process and per URL.
 */
const instances = new Map<string, unknown>();

export function loadWasmKernels<T>(url: URL): T & { memory: WebAssembly.Memory } {
  let exports = instances.get(url.href);
  if (!exports) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(url)); // a plain ArrayBuffer-backed copy, as every WebAssembly typing accepts
    } catch {
      throw new Error(`the WebAssembly kernels are not built (${url.pathname} is missing): run 'npm run build'`);
    }
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { abort: () => { throw new Error(`${url.pathname} aborted`); } },
    });
    exports = instance.exports as unknown;
    instances.set(url.href, exports);
  }
  return exports as T & { memory: WebAssembly.Memory };
}

/** A bump allocator over a module's memory for one call; 16-byte aligned for SIMD loads. */
export class WasmLayout {
  private top = 1024;

  alloc(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    return at;
  }

  /** Grow the memory to hold everything allocated so far. */
  ensure(memory: WebAssembly.Memory): void {
    const missing = Math.ceil(this.top / 65536) - memory.buffer.byteLength / 65536;
    if (missing > 0) memory.grow(missing);
  }
}
