// Builds the web app (web/*.html, web/src/*.ts) into web/dist with esbuild: one ES module per page and
// one for the upscale worker. The library code the pages use (tiling, model reading) is bundled from src/.
import { cp, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = new URL('../web/', import.meta.url);
const dist = new URL('dist/', root);

/**
 * Library modules that also serve Node import node:* built-ins for their file-reading functions, which
 * the page never calls. Those imports resolve to a module whose every member throws, so a call that
 * slips through says what happened instead of failing at load.
 */
const nodeBuiltinsUnavailable = {
  name: 'node-builtins-unavailable',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => key === '__esModule' ? false : () => { throw new Error(${JSON.stringify(args.path)} + '.' + String(key) + ' is not available in the browser'); } });`,
      loader: 'js',
    }));
  },
};

/**
 * Library modules that ask the machine (Node's /proc, cgroups) or read files (the WebAssembly kernels),
 * each bundled as the page's module of the same exports: the shared code calls one function on both
 * platforms, and the page's answer is named there.
 */
const PAGE_STAND_INS = new Map(
  [
    ['upscale/memoryBudget.ts', 'pageMemoryBudget.ts'],
    ['io/wasmKernels.ts', 'pageWasmKernels.ts'],
  ].map(([library, page]) => [fileURLToPath(new URL(`../src/${library}`, import.meta.url)), fileURLToPath(new URL(`src/${page}`, root))]),
);

const pageStandIns = {
  name: 'page-stand-ins',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === 'page-stand-ins') return undefined;
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'page-stand-ins' });
      const standIn = PAGE_STAND_INS.get(resolved.path);
      return standIn ? { path: standIn } : undefined;
    });
  },
};

await rm(dist, { recursive: true, force: true });
await mkdir(new URL('assets/', dist), { recursive: true });
await build({
  entryPoints: {
    upscale: 'web/src/upscalePage.ts',
    upscaleWorker: 'web/src/upscaleWorker.ts',
    training: 'web/src/trainingPage.ts',
  },
  outdir: 'web/dist/assets',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  // onnxruntime-web's build that loads its WebAssembly files from ort.env.wasm.wasmPaths (/ort/).
  conditions: ['onnxruntime-web-use-extern-wasm'],
  // The WebAssembly kernels (resizing) are bundled as bytes: see web/src/pageWasmKernels.ts.
  loader: { '.wasm': 'binary' },
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  plugins: [pageStandIns, nodeBuiltinsUnavailable],
});
for (const file of ['index.html', 'training.html', 'style.css', 'training.css']) await cp(new URL(file, root), new URL(file, dist));
