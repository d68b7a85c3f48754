import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';

/**
 * DNS rebinding: a page on another site can point its own name at 127.0.0.1 and then read this server
 * as same-origin. The browser still sends that name in `Host`, so answering only to the names this
 * server is really reached by shuts the door.
 */

/** The names every server on this machine is reached by, whatever address it listens on. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Addresses that mean "every interface": the machine is then reached by any of its IP addresses. */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '[::]']);

const IPV4_ADDRESS = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The name in a `Host` value as it appears there, IPv6 addresses in brackets. */
function hostName(address: string): string {
  const name = address.toLowerCase();
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/** A `Host` value split into its name (lower case, IPv6 in brackets) and port; undefined when malformed. */
function parseHost(host: string): { name: string; port?: number } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match) return undefined;
  return { name: match[1].toLowerCase(), port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** An IP address written as in a URL; it names one machine and cannot be re-pointed as a DNS name can. */
function isIpAddress(name: string): boolean {
  return IPV4_ADDRESS.test(name) || /^\[[0-9a-f:.]+\]$/.test(name);
}

/**
 * Whether a request's `Host` names this server: a loopback name or the address it listens on
 * (`listenHost`, `--host`), without a port or with the port it listens on (`port`; any port when
 * unknown). Listening on every interface (0.0.0.0, ::), which is how other machines reach it, any IP
 * address is accepted too; no other name ever is.
 */
export function isAllowedHost(host: string, listenHost: string, port: number | undefined): boolean {
  const parsed = parseHost(host);
  if (!parsed) return false;
  if (parsed.port !== undefined && port !== undefined && parsed.port !== port) return false;
  const listenName = hostName(listenHost);
  if (LOOPBACK_NAMES.includes(parsed.name) || parsed.name === listenName) return true;
  return WILDCARD_ADDRESSES.has(listenName) && isIpAddress(parsed.name);
}

/**
 * Middleware answering 421 Misdirected Request to a request whose `Host` does not name this server
 * (see `isAllowedHost`). The port is the one the request's connection arrived on; a request made
 * in-process (tests) has none, so only the name is checked there. A request without `Host` (HTTP/1.0)
 * is judged by its URL, which the server builds from its own address.
 */
export function hostCheck(listenHost: string): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    const port = (c.env as Partial<HttpBindings> | undefined)?.incoming?.socket?.localPort;
    if (!isAllowedHost(host, listenHost, port)) {
      return c.text(`misdirected request: enhance serve answers only to ${LOOPBACK_NAMES.join(', ')} and its --host (${listenHost}), with its port\n`, 421);
    }
    await next();
  };
}
