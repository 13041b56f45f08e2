/**
 * Temporal addresses (`host[:port]`, the port 7233 by default), read without loading gRPC.
 */
export const DEFAULT_PORT = 7233;

/** `host[:port]` with the default port added; throws `TypeError` for anything else. */
export function normalizeAddress(address: string): string {
  const a = address.trim();
  if (a === '') throw new TypeError('address must not be empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(a)) throw new TypeError(`address "${address}" must be host:port, without a scheme`);
  if (a.startsWith('[')) {
    const end = a.indexOf(']');
    if (end < 0) throw new TypeError(`address "${address}" has an unclosed IPv6 bracket`);
    if (a.length === end + 1) return `${a}:${DEFAULT_PORT}`;
    if (a[end + 1] !== ':') throw new TypeError(`address "${address}": expected :port after the IPv6 address`);
    checkPort(a.slice(end + 2), address);
    return a;
  }
  const parts = a.split(':');
  if (parts.length === 1) return `${a}:${DEFAULT_PORT}`;
  if (parts.length > 2) throw new TypeError(`address "${address}": write IPv6 addresses as [addr]:port`);
  checkPort(parts[1]!, address);
  return a;
}

/** The host of a normalized `host:port` or `[v6]:port`, without brackets. */
export function hostOf(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  return address.slice(0, address.lastIndexOf(':'));
}

function checkPort(text: string, address: string): void {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isInteger(port) || port <= 0 || port > 65535) throw new TypeError(`address "${address}" has an invalid port`);
}
