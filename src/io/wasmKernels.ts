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

export { WasmLayout } from './wasmLayout.js';
