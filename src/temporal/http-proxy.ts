/**
 * An HTTP CONNECT proxy for the gRPC connection, from the environment as gRPC's libraries read
 * it: `grpc_proxy`, else `https_proxy`, else `http_proxy` (an `http://[user:pass@]host[:port]`
 * URL), unless the target's host is in `no_grpc_proxy`, else `no_proxy` (comma-separated hosts,
 * a leading dot or a bare domain matching its subdomains too, `*` for all). As grpc-js, which the
 * daemon used before (docs/decisions/0006-own-unary-grpc.md), only the lower-case names are read.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import { hostOf } from './address';

export interface HttpProxy {
  host: string;
  port: number;
  /** `Proxy-Authorization`, when the URL holds a user. Never logged. */
  authorization?: string;
  /** The URL without its user, for messages. */
  shown: string;
}

function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function excluded(host: string, list: string | undefined): boolean {
  if (!list) return false;
  const h = host.toLowerCase();
  for (const raw of list.split(',')) {
    let entry = raw.trim().toLowerCase();
    // host:port, [v6]:port and [v6] name the host; a bare IPv6 address has colons of its own.
    if (entry.startsWith('[')) entry = entry.slice(1, entry.indexOf(']') < 0 ? undefined : entry.indexOf(']'));
    else if (entry.split(':').length === 2) entry = entry.slice(0, entry.indexOf(':'));
    if (entry === '') continue;
    if (entry === '*') return true;
    const domain = entry.startsWith('.') ? entry.slice(1) : entry;
    if (h === domain || h.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** The proxy to reach `address` (`host:port`) through, or undefined; throws TypeError for a URL it cannot use. */
export function proxyFor(address: string, env: NodeJS.ProcessEnv = process.env): HttpProxy | undefined {
  const name = ['grpc_proxy', 'https_proxy', 'http_proxy'].find((n) => read(env, n) !== undefined);
  if (!name) return undefined;
  if (excluded(hostOf(address), read(env, 'no_grpc_proxy') ?? read(env, 'no_proxy'))) return undefined;
  const value = read(env, name)!;
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new TypeError(`${name} is not a URL (set no_grpc_proxy=* to reach Temporal without a proxy)`);
  }
  if (url.protocol !== 'http:') throw new TypeError(`${name}: only an http:// proxy is supported for gRPC (got ${url.protocol}//; set no_grpc_proxy=* to reach Temporal without a proxy)`);
  const user = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : 80;
  return Object.assign({ host, port }, user ? { authorization: `Basic ${Buffer.from(user).toString('base64')}` } : {}, { shown: `http://${url.host}` });
}

/** A socket tunnelled to `target` (`host:port`) through the proxy, or a rejection saying why. */
export function openTunnel(proxy: HttpProxy, target: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}) },
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return reject(new Error(`proxy ${proxy.shown} refused CONNECT ${target}: HTTP ${res.statusCode}`));
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('timeout', () => req.destroy(new Error(`proxy ${proxy.shown} did not answer CONNECT ${target} within ${timeoutMs} ms`)));
    req.once('error', (e) => reject(new Error(`proxy ${proxy.shown}: ${e.message}`)));
    req.end();
  });
}
