import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** Addresses only this machine reaches: a server listening on one of these may run without a key. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Equal strings, in time that depends on neither where they differ nor their lengths (both are hashed first). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The key a request carries: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
function keyOf(authorization: string | undefined, header: string | undefined): string | undefined {
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return bearer ? bearer[1] : header;
}

/** 401 for a request without the API key (when one is set; the OpenAPI document is public); the comparison is constant-time. */
export function requireApiKey(apiKey: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (apiKey === undefined || c.req.path === '/v1/openapi.json') return next();
    const given = keyOf(c.req.header('authorization'), c.req.header('x-api-key'));
    if (given === undefined || !sameSecret(given, apiKey)) {
      c.header('WWW-Authenticate', 'Bearer realm="enhance"');
      return c.json({ error: given === undefined ? 'an API key is required: Authorization: Bearer <key> or X-API-Key' : 'wrong API key' }, 401);
    }
    return next();
  };
}
