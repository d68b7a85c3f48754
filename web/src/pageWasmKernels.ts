/**
 * The page's `src/io/wasmKernels.ts` (bundled in its place by scripts/buildWeb.mjs): the kernel modules
 * are bundled into the worker as bytes (esbuild's binary loader), since a worker cannot read files.
 * Compiling synchronously is allowed in workers at any size; only a page's main thread limits it.
 */
import filter2d from '../../build/filter2d.wasm';
import resample from '../../build/resample.wasm';

export { WasmLayout } from '../../src/io/wasmLayout.js';

const BUNDLED: Record<string, Uint8Array> = { 'filter2d.wasm': filter2d, 'resample.wasm': resample };
const instances = new Map<string, unknown>();

export function loadWasmKernels<T>(url: URL): T & { memory: WebAssembly.Memory } {
  const name = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  let exports = instances.get(name);
  if (!exports) {
    const bytes = BUNDLED[name];
    if (!bytes) throw new Error(`the WebAssembly kernels ${name} are not bundled into the page`);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), {
      env: { abort: () => { throw new Error(`${name} aborted`); } },
    });
    exports = instance.exports as unknown;
    instances.set(name, exports);
  }
  return exports as T & { memory: WebAssembly.Memory };
}
