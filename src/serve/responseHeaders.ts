import type { MiddlewareHandler } from 'hono';

/**
 * What the pages may load, and nothing more, so that a run's config or log shown on the training page
 * can never bring in script, and no other site can frame the pages:
 * - scripts, workers, styles, fetches and event streams from this server only (onnxruntime-web's
 *   threads are same-origin module workers; nothing is built from blob: URLs);
 * - 'wasm-unsafe-eval': onnxruntime-web compiles its WebAssembly in the page's worker;
 * - img-src data: for the training page's empty favicon (`data:,`); sample grids come from /api/runs;
 * - no <base>, no form submission, no plugins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Headers on every response. Cross-origin isolation (COOP + COEP) is what makes SharedArrayBuffer, and
 * so multi-threaded WebAssembly, available to the page; CORP keeps other sites from embedding what it
 * serves; nosniff keeps a sample grid from being read as anything but a PNG.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Embedder-Policy', 'require-corp');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('X-Content-Type-Options', 'nosniff');
  };
}
